import avro from 'avsc';
import { avroTypeOptions, loadSchemaCatalog, requireSchema, type SchemaCatalog } from '@spine/schemas';
import { fromJson } from './json-codec.js';
import { jsonSchemaOf, type JsonSchema } from './json-schema.js';

const typed = (schema: unknown) => ({ type: avro.Type.forSchema(schema as avro.Schema, avroTypeOptions()), json: schema });
const field = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });

const JSON_TYPES = new Set(['null', 'boolean', 'integer', 'number', 'string', 'array', 'object']);

/** Structural checks of JSON Schema 2020-12: known type names, resolvable $refs, compilable patterns. */
function checkSchema(root: JsonSchema): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const schema = node as JsonSchema;
    for (const type of [schema.type].flat()) if (type !== undefined) expect(JSON_TYPES.has(type as string)).toBe(true);
    if (typeof schema.$ref === 'string') {
      const target = schema.$ref.replace(/^#\/\$defs\//, '');
      expect((root.$defs as JsonSchema | undefined)?.[target]).toBeDefined();
    }
    if (schema.pattern !== undefined) expect(() => new RegExp(schema.pattern as string, 'u')).not.toThrow();
    if (Array.isArray(schema.required)) for (const name of schema.required) expect((schema.properties as JsonSchema)[name as string]).toBeDefined();
    Object.values(schema).forEach(visit);
  };
  visit(root);
}

let catalog: SchemaCatalog;
beforeAll(async () => {
  catalog = await loadSchemaCatalog();
});

describe('jsonSchemaOf', () => {
  it('describes support-message-received as its producers post it (metadata omitted)', () => {
    expect(jsonSchemaOf(requireSchema(catalog, 'support-message-received'), { omitFields: ['metadata'] })).toEqual({
      type: 'object',
      title: 'SupportMessageReceived',
      description: 'A customer message that reached the CRM (email, chat, phone transcript, social).',
      properties: {
        customerId: { type: 'string', minLength: 1, maxLength: 128, description: "Customer id; the Kafka key, so one customer's events stay in order." },
        channel: { type: 'string', title: 'Channel', enum: ['EMAIL', 'CHAT', 'PHONE', 'SOCIAL'] },
        subject: { type: ['string', 'null'], maxLength: 500, default: null },
        body: { type: 'string', minLength: 1, maxLength: 20000 },
        orderAmount: {
          type: ['string', 'null'],
          pattern: '^-?\\d{1,10}(?:\\.\\d{1,2})?$',
          examples: ['129.90'],
          description: 'Amount of the order the message is about, if any.',
          default: null,
        },
      },
      required: ['customerId', 'channel', 'body'],
      additionalProperties: false,
    });
  });

  it('writes uuid and date-time formats and nested records inline', () => {
    const schema = jsonSchemaOf(requireSchema(catalog, 'support-triage-result'));
    const metadata = (schema.properties as Record<string, JsonSchema>).metadata!;
    expect(metadata).toMatchObject({
      type: 'object',
      title: 'EventMetadata',
      additionalProperties: false,
      required: ['eventId', 'occurredAt', 'receivedAt', 'source', 'correlationId'],
      properties: {
        eventId: { type: 'string', format: 'uuid', description: 'Unique id assigned at ingestion; the idempotency key downstream.' },
        occurredAt: { type: 'string', format: 'date-time', examples: ['2024-05-01T12:30:00Z'] },
      },
    });
    expect((schema.properties as Record<string, JsonSchema>).sentimentScore).toEqual({ type: 'number', format: 'double', description: '-1 (very negative) .. 1 (very positive).' });
  });

  it('is structurally valid for every schema of the catalog', () => {
    for (const entry of catalog.values()) checkSchema(jsonSchemaOf(entry));
  });

  it('maps every Avro type', () => {
    const t = typed({
      type: 'record',
      name: 'x.All',
      fields: [
        field('i', 'int'),
        field('l', 'long', { default: 5 }),
        field('f', 'float'),
        field('b', 'boolean'),
        field('raw', 'bytes'),
        field('hash', { type: 'fixed', name: 'Hash', size: 16 }),
        field('list', { type: 'array', items: 'string' }),
        field('dict', { type: 'map', values: 'double' }),
        field('colour', ['null', { type: 'enum', name: 'Colour', symbols: ['RED'], doc: 'A colour.' }], { default: null }),
        field('sub', ['null', { type: 'record', name: 'Sub', fields: [field('s', 'string')] }], { default: null }),
        field('either', ['string', 'int'], { default: 'none' }),
        field('at', { type: 'long', logicalType: 'timestamp-millis' }, { default: 0 }),
        field('dec', { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 0 }),
      ],
    });
    const properties = jsonSchemaOf(t).properties as Record<string, JsonSchema>;
    expect(properties).toEqual({
      i: { type: 'integer', format: 'int32', minimum: -2147483648, maximum: 2147483647 },
      l: { type: 'integer', format: 'int64', minimum: -4503599627370496, maximum: 9007199254740990, default: 5 },
      f: { type: 'number', format: 'float', minimum: -3.4028234663852886e38, maximum: 3.4028234663852886e38 },
      b: { type: 'boolean' },
      raw: { type: 'string', contentEncoding: 'base64' },
      hash: { type: 'string', contentEncoding: 'base64', title: 'Hash', minLength: 24, maxLength: 24 },
      list: { type: 'array', items: { type: 'string' } },
      dict: { type: 'object', additionalProperties: { type: 'number', format: 'double' } },
      colour: { type: ['string', 'null'], title: 'Colour', description: 'A colour.', enum: ['RED', null], default: null },
      sub: { type: ['object', 'null'], title: 'Sub', properties: { s: { type: 'string' } }, required: ['s'], additionalProperties: false, default: null },
      either: { anyOf: [{ type: 'string' }, { type: 'integer', format: 'int32', minimum: -2147483648, maximum: 2147483647 }], default: 'none' },
      at: { type: 'string', format: 'date-time', examples: ['2024-05-01T12:30:00Z'], default: '1970-01-01T00:00:00.000Z' },
      dec: { type: 'string', pattern: '^-?\\d{1,4}$', examples: ['129'] },
    });
  });

  it('puts a recursive record under $defs, with an $id so the references resolve when embedded', () => {
    const t = typed({ type: 'record', name: 'x.Node', fields: [field('v', 'int'), field('next', ['null', 'x.Node'], { default: null })] });
    const schema = jsonSchemaOf(t);
    expect(schema.$id).toBe('urn:spine:avro:x.Node');
    expect((schema.properties as Record<string, JsonSchema>).next).toEqual({ anyOf: [{ $ref: '#/$defs/x.Node' }, { type: 'null' }], default: null });
    expect((schema.$defs as Record<string, JsonSchema>)['x.Node']).toMatchObject({ type: 'object', required: ['v'] });
    checkSchema(schema);
  });

  it('uses the same decimal pattern as fromJson', () => {
    const t = typed({ type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 });
    const pattern = new RegExp(jsonSchemaOf(t).pattern as string, 'u');
    for (const text of ['0', '1234', '12345', '-1.5', '1.50', '1.505', '.5', '1.', '00001.00']) {
      expect([text, pattern.test(text)]).toEqual([text, fromJson(t, text).issues.length === 0]);
    }
  });
});
