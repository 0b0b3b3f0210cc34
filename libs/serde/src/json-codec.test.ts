import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { avroTypeOptions, loadSchemaCatalog, requireSchema, type SchemaCatalog } from '@spine/schemas';
import { fromJson, MAX_JSON_DEPTH, parseDateTime, toJson } from './json-codec.js';
import { jsonSchemaOf, type JsonSchema } from './json-schema.js';
import { prng } from '../../../test/harness/prng.js';

/** A type with its schema JSON, as the catalog hands them out (so `spine.*` attributes are known). */
const typed = (schema: unknown) => ({ type: avro.Type.forSchema(schema as avro.Schema, avroTypeOptions()), json: schema });
const record = (fields: unknown[], name = 'test.Thing') => typed({ type: 'record', name, fields });
const field = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });

const issuesOf = (type: Parameters<typeof fromJson>[0], json: unknown, options?: Parameters<typeof fromJson>[2]) => fromJson(type, json, options).issues;


/** Known `spine.pattern`s of the catalog and a value matching each; a new pattern needs a sample here. */
const PATTERN_SAMPLES: Record<string, string[]> = { '^[A-Z]{3}$': ['EUR', 'USD', 'GBP'], '^[A-Z]{2}$': ['DE', 'FR', 'US'] };

/** A random valid JSON value for a JSON Schema made by jsonSchemaOf (so the schemas are exercised too). */
function sample(schema: JsonSchema, random: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  if (Array.isArray(schema.anyOf)) return sample(pick(schema.anyOf as JsonSchema[]), random);
  if (Array.isArray(schema.enum)) return pick(schema.enum);
  const type = Array.isArray(schema.type) ? (random() < 0.3 ? 'null' : (schema.type[0] as string)) : (schema.type as string);
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return random() < 0.5;
    case 'integer':
      return Math.floor(random() * 2_000_001) - 1_000_000;
    case 'number':
      return (random() - 0.5) * 1e6;
    case 'array':
      return Array.from({ length: Math.floor(random() * 4) }, () => sample(schema.items as JsonSchema, random));
    case 'object': {
      if (schema.properties) {
        const out: Record<string, unknown> = {};
        const required = new Set((schema.required as string[] | undefined) ?? []);
        for (const [name, property] of Object.entries(schema.properties as Record<string, JsonSchema>)) {
          if (required.has(name) || random() < 0.7) out[name] = sample(property, random);
        }
        return out;
      }
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 3); i > 0; i--) out[`k${i}`] = sample(schema.additionalProperties as JsonSchema, random);
      return out;
    }
    case 'string': {
      if (schema.format === 'uuid') return randomUUID();
      if (schema.format === 'date-time') return new Date(Math.floor(random() * 4e12)).toISOString();
      if (typeof schema.pattern === 'string') {
        if (Array.isArray(schema.examples)) return pick(schema.examples);
        const known = PATTERN_SAMPLES[schema.pattern];
        if (!known) throw new Error(`no sample for pattern ${schema.pattern}: add one to PATTERN_SAMPLES`);
        return pick(known);
      }
      const min = (schema.minLength as number | undefined) ?? 0;
      const max = Math.min((schema.maxLength as number | undefined) ?? 40, min + 40);
      return pick(['a', 'é', '😀', ' ', 'Z']).repeat(min + Math.floor(random() * (max - min + 1)));
    }
    default:
      throw new Error(`sample: unexpected schema ${JSON.stringify(schema)}`);
  }
}

let catalog: SchemaCatalog;
beforeAll(async () => {
  catalog = await loadSchemaCatalog();
});

describe('fromJson: records', () => {
  const thing = record([
    field('id', 'string'),
    field('count', 'int', { default: 7 }),
    field('note', ['null', 'string'], { default: null }),
    field('inner', { type: 'record', name: 'Inner', fields: [field('a', 'int'), field('b', 'string')] }),
  ]);

  it('converts a valid object, filling Avro defaults for missing fields', () => {
    const { value, issues } = fromJson(thing, { id: 'x', inner: { a: 1, b: 'y' } });
    expect(issues).toEqual([]);
    expect(value).toEqual({ id: 'x', count: 7, note: null, inner: { a: 1, b: 'y' } });
    expect(thing.type.isValid(value)).toBe(true);
  });

  it.each([[[]], [null], ['text'], [3], [new Date(0)]])('refuses %p at the root', (json) => {
    expect(issuesOf(thing, json)).toEqual([{ field: '(root)', message: 'value must be an object' }]);
  });

  it('names missing fields, unknown properties and nested fields with dotted paths', () => {
    expect(issuesOf(thing, { count: 1, inner: { a: 'no', extra: true }, colour: 'red' })).toEqual([
      { field: 'id', message: 'id is required' },
      { field: 'inner.a', message: 'a must be an integer number' },
      { field: 'inner.b', message: 'b is required' },
      { field: 'inner.extra', message: 'property extra should not exist' },
      { field: 'colour', message: 'property colour should not exist' },
    ]);
    expect(issuesOf(thing, { id: 'x', inner: [] })).toEqual([{ field: 'inner', message: 'inner must be an object' }]);
  });

  it('treats an undefined property as missing and ignores inherited ones', () => {
    expect(issuesOf(thing, { id: 'x', count: undefined, inner: { a: 1, b: 'y' } })).toEqual([]);
    const json = Object.assign(Object.create({ id: 'inherited' }) as object, { inner: { a: 1, b: 'y' } });
    expect(issuesOf(thing, json)).toEqual([{ field: 'id', message: 'id is required' }]);
  });

  it('prefixes every path with options.path', () => {
    expect(issuesOf(thing, { inner: { a: 1 } }, { path: 'events.1' })).toEqual([
      { field: 'events.1.id', message: 'id is required' },
      { field: 'events.1.inner.b', message: 'b is required' },
    ]);
    expect(issuesOf(thing, 'x', { path: 'events.1' })).toEqual([{ field: 'events.1', message: 'events.1 must be an object' }]);
  });

  it('skips omitFields at the top level only, and refuses them when posted', () => {
    const nested = record([field('id', 'string'), field('sub', { type: 'record', name: 'Sub', fields: [field('id', 'string')] })]);
    const { value, issues } = fromJson(nested, { sub: { id: 'in' } }, { omitFields: ['id'] });
    expect(issues).toEqual([]);
    expect(value).toEqual({ sub: { id: 'in' } });
    expect(issuesOf(nested, { id: 'x', sub: {} }, { omitFields: ['id'] })).toEqual([
      { field: 'sub.id', message: 'id is required' },
      { field: 'id', message: 'property id should not exist' },
    ]);
  });
});

describe('fromJson: strings and spine.* attributes', () => {
  const strings = record([
    field('name', 'string', { 'spine.minLength': 1, 'spine.maxLength': 3 }),
    field('code', 'string', { 'spine.pattern': '^[A-Z]{3}$' }),
    field('subject', ['null', 'string'], { default: null, 'spine.maxLength': 2 }),
    field('typed', { type: 'string', 'spine.maxLength': 1 }, { default: '' }),
  ]);

  it('accepts strings within the rules, counting code points, not UTF-16 units', () => {
    expect(issuesOf(strings, { name: '😀😀😀', code: 'EUR', subject: 'éé', typed: 'x' })).toEqual([]);
  });

  it('words length and pattern issues like class-validator', () => {
    expect(issuesOf(strings, { name: '', code: 'eur', subject: 'abc', typed: 'xy' })).toEqual([
      { field: 'name', message: 'name must be longer than or equal to 1 characters' },
      { field: 'code', message: 'code must match /^[A-Z]{3}$/ regular expression' },
      { field: 'subject', message: 'subject must be shorter than or equal to 2 characters' },
      { field: 'typed', message: 'typed must be shorter than or equal to 1 characters' },
    ]);
    expect(issuesOf(strings, { name: '😀😀😀😀', code: 'EURO' })).toEqual([
      { field: 'name', message: 'name must be shorter than or equal to 3 characters' },
      { field: 'code', message: 'code must match /^[A-Z]{3}$/ regular expression' },
    ]);
  });

  it('gives one issue per field: the type before the length before the pattern', () => {
    expect(issuesOf(strings, { name: 5, code: 'toolong' })).toEqual([
      { field: 'name', message: 'name must be a string' },
      { field: 'code', message: 'code must match /^[A-Z]{3}$/ regular expression' },
    ]);
  });

  it('refuses lone surrogates, which are not Unicode and cannot be written as UTF-8', () => {
    for (const bad of ['\ud800', 'a\udc00b', 'x\ud83d']) {
      expect(issuesOf(strings, { name: 'a', code: 'EUR', typed: bad })).toEqual([
        { field: 'typed', message: 'typed must be valid Unicode text (it contains a lone surrogate)' },
      ]);
    }
  });

  it('does not know spine.* attributes from a bare avsc Type (avsc drops them)', () => {
    expect(JSON.stringify(strings.type.schema({ exportAttrs: true }))).not.toContain('spine.');
    expect(issuesOf(strings.type, { name: '', code: 'eur' })).toEqual([]);
  });

  it('refuses a schema whose spine attributes are malformed', () => {
    expect(() => fromJson(record([field('a', 'string', { 'spine.maxLength': -1 })]), {})).toThrow(/spine.maxLength must be a non-negative integer/);
    expect(() => fromJson(record([field('a', 'string', { 'spine.pattern': '(' })]), {})).toThrow(/not a valid regular expression/);
  });
});

describe('fromJson: primitives, enums, bytes', () => {
  const one = (type: unknown) => typed(type);

  it.each([
    ['int', 1.5, 'value must be an integer number'],
    ['int', '1', 'value must be an integer number'],
    ['int', 2 ** 31, 'value must not be greater than 2147483647'],
    ['int', -(2 ** 31) - 1, 'value must not be less than -2147483648'],
    ['long', 2 ** 53, 'value must not be greater than 9007199254740990'],
    ['long', Number.MAX_SAFE_INTEGER, 'value must not be greater than 9007199254740990'],
    // avsc 5.7.9 would silently write -4503599627370497 as 4503599627370496
    ['long', -(2 ** 52) - 1, 'value must not be less than -4503599627370496'],
    ['long', null, 'value must be an integer number'],
    ['double', Infinity, 'value must be a finite number'],
    ['double', '1.5', 'value must be a finite number'],
    ['float', 1e39, 'value must not be greater than 3.4028234663852886e+38'],
    ['boolean', 'true', 'value must be a boolean value'],
    ['null', 0, 'value must be null'],
    ['string', null, 'value must be a string'],
    ['bytes', 'not base64!', 'value must be base64 encoded'],
    ['bytes', 'QQ', 'value must be base64 encoded'],
  ])('%s refuses %p', (type, json, message) => {
    expect(issuesOf(one(type), json)).toEqual([{ field: '(root)', message }]);
  });

  it.each([
    ['int', -(2 ** 31)],
    ['int', 2 ** 31 - 1],
    ['long', 9_007_199_254_740_990],
    ['long', -(2 ** 52)],
    ['long', -3],
    ['double', -0.5],
    ['float', 3.25],
    ['boolean', false],
    ['null', null],
    ['string', ''],
  ])('%s accepts %p', (type, json) => {
    const { value, issues } = fromJson(one(type), json);
    expect(issues).toEqual([]);
    expect(value).toBe(json);
  });

  it('decodes base64 bytes and fixed of the right size', () => {
    expect(fromJson(one('bytes'), 'AAEC/w==').value).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(fromJson(one('bytes'), '').value).toEqual(Buffer.alloc(0));
    const fixed = one({ type: 'fixed', name: 'F4', size: 4 });
    expect(fromJson(fixed, 'AAEC/w==')).toEqual({ value: Buffer.from([0, 1, 2, 255]), issues: [] });
    expect(issuesOf(fixed, 'AAE=')).toEqual([{ field: '(root)', message: 'value must be base64 encoded (exactly 4 bytes)' }]);
  });

  it('lists the symbols of an enum', () => {
    const colour = record([field('colour', { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN', 'BLUE'] })]);
    expect(issuesOf(colour, { colour: 'PINK' })).toEqual([{ field: 'colour', message: 'colour must be one of the following values: RED, GREEN, BLUE' }]);
    expect(issuesOf(colour, { colour: 0 })).toEqual([{ field: 'colour', message: 'colour must be one of the following values: RED, GREEN, BLUE' }]);
    expect(fromJson(colour, { colour: 'GREEN' })).toEqual({ value: { colour: 'GREEN' }, issues: [] });
  });
});

describe('fromJson: logical types', () => {
  const logical = record([
    field('id', { type: 'string', logicalType: 'uuid' }),
    field('at', { type: 'long', logicalType: 'timestamp-millis' }),
    field('amount', { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }),
  ]);
  const valid = { id: '6F1C2A4E-8B3D-4F6A-9C2E-1D2B3C4D5E6F', at: '2024-05-01T12:30:00Z', amount: '129.90' };

  it('converts uuid to a string, timestamp-millis to a Date, decimal to its exact string', () => {
    const { value, issues } = fromJson(logical, valid);
    expect(issues).toEqual([]);
    expect(value).toEqual({ id: valid.id, at: new Date(Date.UTC(2024, 4, 1, 12, 30)), amount: '129.90' });
    expect(logical.type.isValid(value)).toBe(true);
    expect(logical.type.fromBuffer(logical.type.toBuffer(value))).toEqual(value);
  });

  it.each(['', 'not-a-uuid', '6f1c2a4e8b3d4f6a9c2e1d2b3c4d5e6f', '6f1c2a4e-8b3d-4f6a-9c2e-1d2b3c4d5e6', 42])('refuses uuid %p', (id) => {
    expect(issuesOf(logical, { ...valid, id })).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
  });

  it.each([
    ['2024-05-01T12:30:00Z', '2024-05-01T12:30:00.000Z'],
    ['2024-05-01T14:30:00.250+02:00', '2024-05-01T12:30:00.250Z'],
    ['2024-05-01t12:30:00z', '2024-05-01T12:30:00.000Z'],
    ['2024-05-01 12:30:00-01:30', '2024-05-01T14:00:00.000Z'],
    ['2024-02-29T23:59:59.999999Z', '2024-02-29T23:59:59.999Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.000Z'],
  ])('reads the date-time %s as %s', (text, iso) => {
    expect((fromJson(logical, { ...valid, at: text }).value as { at: Date }).at.toISOString()).toBe(iso);
  });

  it.each([
    '2024-05-01',
    '2024-05-01T12:30:00',
    '2024-05-01T12:30Z',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T12:60:00Z',
    '2024-05-01T12:30:60Z',
    '2024-05-01T12:30:00+24:00',
    '2024-05-01T12:30:00+0200',
    ' 2024-05-01T12:30:00Z',
    '+275760-09-13T00:00:00.001Z',
    '-000000-01-01T00:00:00Z',
    '-142000-01-01T00:00:00Z', // before -2^52 ms: avsc 5.7.9 cannot write it
    1714566600000,
  ])('refuses the date-time %p', (at) => {
    expect(issuesOf(logical, { ...valid, at })).toEqual([
      { field: 'at', message: 'at must be an ISO-8601 date-time with a time zone, e.g. 2024-05-01T12:30:00Z' },
    ]);
  });

  it.each(['0', '0.5', '-12.50', '9999999999.99', '0000000001.00', '12.5'])('accepts the decimal %p as is', (amount) => {
    const { value, issues } = fromJson(logical, { ...valid, amount });
    expect(issues).toEqual([]);
    expect((value as { amount: string }).amount).toBe(amount);
    expect(logical.type.isValid(value)).toBe(true);
  });

  it.each([129.9, 12, '12.345', '12345678901', '1e3', '12.', '.5', '+1', ' 1', '1,00', '0x10', ''])('refuses the decimal %p', (amount) => {
    expect(issuesOf(logical, { ...valid, amount })).toEqual([
      { field: 'amount', message: 'amount must be a decimal string with up to 10 integer and 2 fraction digits, e.g. "129.90"' },
    ]);
  });

  it('describes decimals of other precisions and scales', () => {
    const d = (precision: number, scale: number) => typed({ type: 'bytes', logicalType: 'decimal', precision, scale });
    expect(issuesOf(d(5, 0), '1.5')).toEqual([{ field: '(root)', message: 'value must be a decimal string with up to 5 digits, e.g. "129"' }]);
    expect(issuesOf(d(3, 3), '1.000')).toEqual([
      { field: '(root)', message: 'value must be a decimal string with up to 0 integer and 3 fraction digits, e.g. "0.900"' },
    ]);
    expect(issuesOf(d(3, 3), '0.125')).toEqual([]);
    expect(issuesOf(d(2, 1), '9.9')).toEqual([]);
  });
});

describe('fromJson: other logical types', () => {
  /** A logical type Spine does not define: a calendar date as days since the epoch (int), exposed as "YYYY-MM-DD". */
  class DateType extends avro.types.LogicalType {
    protected override _fromValue(days: number): string {
      return new Date(days * 86_400_000).toISOString().slice(0, 10);
    }
    protected override _toValue(value: unknown): number | undefined {
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(value) / 86_400_000 : undefined;
    }
  }
  const schema = { type: 'int', logicalType: 'date' };
  const t = { type: avro.Type.forSchema(schema as avro.Schema, { logicalTypes: { date: DateType } }), json: schema };

  it('goes through the underlying type and the logical type\'s own conversion', () => {
    expect(fromJson(t, 19_844)).toEqual({ value: '2024-05-01', issues: [] });
    expect(toJson(t, '2024-05-01')).toBe(19_844);
    expect(issuesOf(t, 'x')).toEqual([{ field: '(root)', message: 'value must be an integer number' }]);
  });
});

describe('fromJson: unions, arrays, maps', () => {
  it('accepts null or T for ["null", T], with T\'s own messages', () => {
    const t = record([field('n', ['null', 'int'], { default: null }), field('m', ['int', 'null'])]);
    expect(fromJson(t, { n: null, m: 3 })).toEqual({ value: { n: null, m: 3 }, issues: [] });
    expect(issuesOf(t, { n: 'x', m: 1.5 })).toEqual([
      { field: 'n', message: 'n must be an integer number' },
      { field: 'm', message: 'm must be an integer number' },
    ]);
  });

  it('takes the first branch of other unions that converts, else lists the branches', () => {
    const t = typed(['null', 'int', 'string', { type: 'record', name: 'P', fields: [field('x', 'int')] }]);
    expect(fromJson(t, 'a').value).toBe('a');
    expect(fromJson(t, 4).value).toBe(4);
    expect(fromJson(t, { x: 1 }).value).toEqual({ x: 1 });
    expect(issuesOf(t, { x: 'no' })).toEqual([{ field: 'x', message: 'x must be an integer number' }]); // only P takes objects
    expect(issuesOf(t, true)).toEqual([{ field: '(root)', message: 'value must be one of the following types: null, int, string, P' }]);
    expect(issuesOf(t, 1.5)).toEqual([{ field: '(root)', message: 'value must be an integer number' }]); // only int takes numbers
  });

  it('wraps values of wrapped unions, trying records in order', () => {
    const a = { type: 'record', name: 'A', fields: [field('a', 'int')] };
    const b = { type: 'record', name: 'B', fields: [field('b', 'string')] };
    const t = typed(['null', a, b]);
    expect(t.type.typeName).toBe('union:wrapped');
    expect(fromJson(t, { b: 'x' })).toEqual({ value: { B: { b: 'x' } }, issues: [] });
    expect(fromJson(t, { a: 1 })).toEqual({ value: { A: { a: 1 } }, issues: [] });
    expect(fromJson(t, null)).toEqual({ value: null, issues: [] });
    expect(t.type.isValid(fromJson(t, { b: 'x' }).value)).toBe(true);
    expect(issuesOf(t, { c: 1 })).toEqual([{ field: '(root)', message: 'value must be one of the following types: null, A, B' }]);
  });

  it('gives array items and map values their index or key in the path', () => {
    const t = record([
      field('tags', { type: 'array', items: 'string' }, { 'spine.maxLength': 1000 }),
      field('scores', { type: 'map', values: 'double' }),
      field('lines', { type: 'array', items: { type: 'record', name: 'Line', fields: [field('qty', 'int')] } }),
    ]);
    expect(issuesOf(t, { tags: ['a', 3, 'c', null], scores: { x: 1, y: 'no' }, lines: [{ qty: 1 }, { qty: 'two' }, 5] })).toEqual([
      { field: 'tags.1', message: 'each value in tags must be a string' },
      { field: 'tags.3', message: 'each value in tags must be a string' },
      { field: 'scores.y', message: 'each value in scores must be a finite number' },
      { field: 'lines.1.qty', message: 'qty must be an integer number' },
      { field: 'lines.2', message: 'each value in lines must be an object' },
    ]);
    expect(issuesOf(t, { tags: 'a', scores: [], lines: {} })).toEqual([
      { field: 'tags', message: 'tags must be an array' },
      { field: 'scores', message: 'scores must be an object' },
      { field: 'lines', message: 'lines must be an array' },
    ]);
  });

  it('refuses map keys that would not survive Avro (lone surrogates, __proto__)', () => {
    const t = record([field('m', { type: 'map', values: 'int' })]);
    expect(issuesOf(t, { m: { 'a\ud800': 1 } })).toEqual([{ field: 'm.a\ud800', message: 'each key in m must be valid Unicode text (it contains a lone surrogate)' }]);
    expect(issuesOf(t, JSON.parse('{"m": {"__proto__": 1}}'))).toEqual([{ field: 'm.__proto__', message: 'm must not have the key __proto__' }]);
    const { value } = fromJson(t, { m: { constructor: 1, toString: 2 } });
    expect(value).toEqual({ m: { constructor: 1, toString: 2 } });
  });
});

describe('fromJson: hostile input', () => {
  const list = typed({ type: 'record', name: 'Node', fields: [field('v', 'int'), field('next', ['null', 'Node'], { default: null })] });
  const chain = (length: number): unknown => {
    let json: unknown = null;
    for (let i = 0; i < length; i++) json = { v: i, next: json };
    return json;
  };

  it('follows recursion up to the depth limit and refuses deeper nesting with one issue', () => {
    const { value, issues } = fromJson(list, chain(MAX_JSON_DEPTH));
    expect(issues).toEqual([]);
    expect(list.type.isValid(value)).toBe(true);
    const deep = fromJson(list, chain(100_000));
    expect(deep.issues).toHaveLength(1);
    expect(deep.issues[0]!.field).toBe(Array.from({ length: MAX_JSON_DEPTH }, () => 'next').join('.'));
    expect(deep.issues[0]!.message).toBe('next is nested too deeply (more than 64 levels)');
  });

  it('survives cyclic objects', () => {
    const cyclic: Record<string, unknown> = { v: 1 };
    cyclic.next = cyclic;
    expect(fromJson(list, cyclic).issues).toHaveLength(1);
  });

  it('stays linear on big arrays and caps the number of issues', () => {
    const t = typed({ type: 'array', items: 'int' });
    const big = Array.from({ length: 300_000 }, (_, i) => i);
    const started = performance.now();
    expect(fromJson(t, big).issues).toEqual([]);
    const bad = fromJson(t, big.map(String));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(bad.issues).toHaveLength(1001);
    expect(bad.issues[1000]).toEqual({ field: '(root)', message: 'too many problems; only the first 1000 are listed' });
    expect(fromJson(t, ['a', 'b', 'c'], { maxIssues: 2 }).issues).toHaveLength(3);
  });

  it('does not go exponential on nested ambiguous unions', () => {
    // Both records accept any object with `next`; only the innermost level tells them apart.
    const t = typed({
      type: 'record',
      name: 'Root',
      fields: [
        field('next', [
          'null',
          {
            type: 'record',
            name: 'A',
            fields: [
              field('next', ['null', 'A', { type: 'record', name: 'B', fields: [field('next', ['null', 'A', 'B'], { default: null }), field('b', 'int', { default: 0 })] }], { default: null }),
              field('a', 'int', { default: 0 }),
            ],
          },
          'B',
        ]),
      ],
    });
    let json: unknown = { b: 'not an int' };
    for (let i = 0; i < 60; i++) json = { next: json };
    const started = performance.now();
    const { issues } = fromJson(t, json);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe('next must be one of the following types: null, A, B');
  });

  it('handles huge strings in linear time', () => {
    const t = record([field('s', 'string', { 'spine.maxLength': 5, 'spine.pattern': '^a+$' })]);
    const started = performance.now();
    expect(issuesOf(t, { s: 'a'.repeat(5_000_000) })).toEqual([{ field: 's', message: 's must be shorter than or equal to 5 characters' }]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('toJson', () => {
  const everything = record([
    field('id', { type: 'string', logicalType: 'uuid' }),
    field('at', { type: 'long', logicalType: 'timestamp-millis' }),
    field('when', ['null', { type: 'long', logicalType: 'timestamp-millis' }], { default: null }),
    field('amount', { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }),
    field('maybeAmount', ['null', { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }], { default: null }),
    field('raw', 'bytes'),
    field('hash', { type: 'fixed', name: 'Hash', size: 2 }),
    field('tags', { type: 'array', items: 'string' }),
    field('attrs', { type: 'map', values: ['null', 'long'] }),
    field('kind', { type: 'enum', name: 'Kind', symbols: ['X', 'Y'] }),
    field('either', ['null', { type: 'record', name: 'L', fields: [field('l', 'int')] }, { type: 'record', name: 'R', fields: [field('r', 'int')] }]),
  ]);
  const json = {
    id: '6f1c2a4e-8b3d-4f6a-9c2e-1d2b3c4d5e6f',
    at: '2024-05-01T12:30:00.250Z',
    when: '1969-12-31T23:59:59.999Z',
    amount: '-0.01',
    maybeAmount: '129.90',
    raw: 'AAEC/w==',
    hash: 'q80=',
    tags: ['a', 'b'],
    attrs: { n: null, m: 5 },
    kind: 'Y',
    either: { r: 2 },
  };

  it('writes Dates as ISO strings, bytes as base64, unions unwrapped, records in field order', () => {
    const { value, issues } = fromJson(everything, json);
    expect(issues).toEqual([]);
    const decoded: unknown = everything.type.fromBuffer(everything.type.toBuffer(value));
    const out = toJson(everything, decoded);
    expect(out).toEqual(json);
    expect(Object.keys(out as object)).toEqual((everything.type as avro.types.RecordType).fields.map((f) => f.name));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(out))).toEqual(json);
  });

  it('round-trips every logical type exactly through fromJson', () => {
    const random = prng(42);
    for (let i = 0; i < 500; i++) {
      const value = {
        ...(fromJson(everything, json).value as object),
        id: randomUUID(),
        at: new Date(Math.round(-(2 ** 52) + random() * (2 ** 52 + 8.64e15))),
        when: random() < 0.5 ? null : new Date(Math.round((random() - 0.5) * 1e13)),
        amount: `${random() < 0.5 ? '-' : ''}${Math.floor(random() * 1e10)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`,
      };
      const decoded: unknown = everything.type.fromBuffer(everything.type.toBuffer(value));
      const back = fromJson(everything, JSON.parse(JSON.stringify(toJson(everything, decoded))));
      expect(back.issues).toEqual([]);
      expect(everything.type.toBuffer(back.value).equals(everything.type.toBuffer(decoded))).toBe(true);
      expect((back.value as { at: Date }).at.getTime()).toBe(value.at.getTime());
    }
  });

  it('throws naming the path when a value does not fit the type', () => {
    expect(() => toJson(everything, { ...(fromJson(everything, json).value as object), at: 'yesterday' })).toThrow('toJson: at: expected a valid Date, got string');
  });
});

describe('the catalog', () => {
  it('converts generated JSON for every schema into values avsc accepts, and back', () => {
    const random = prng(7);
    for (const entry of catalog.values()) {
      const schema = jsonSchemaOf(entry);
      for (let i = 0; i < 50; i++) {
        const json = sample(schema, random);
        const { value, issues } = fromJson(entry, json);
        expect({ id: entry.id, json, issues }).toEqual({ id: entry.id, json, issues: [] });
        expect(entry.type.isValid(value)).toBe(true);
        const decoded: unknown = entry.type.fromBuffer(entry.type.toBuffer(value));
        expect(fromJson(entry, toJson(entry, decoded)).value).toEqual(decoded);
      }
    }
  });

  describe('support-message-received (metadata filled by Spine)', () => {
    const options = { omitFields: ['metadata'] } as const;
    const metadata = {
      eventId: randomUUID(),
      occurredAt: new Date('2024-05-01T12:30:00Z'),
      receivedAt: new Date(),
      source: 'crm',
      correlationId: 'c-1',
    };

    it('converts a valid body which, with metadata, avsc accepts', () => {
      const schema = requireSchema(catalog, 'support-message-received');
      const body = { customerId: 'cust-42', channel: 'EMAIL', subject: 'Charged twice', body: 'Please refund one.', orderAmount: '129.90' };
      const { value, issues } = fromJson(schema, body, options);
      expect(issues).toEqual([]);
      expect(value).toEqual(body);
      expect(schema.type.isValid({ metadata, ...(value as object) })).toBe(true);
      const minimal = fromJson(schema, { customerId: 'c', channel: 'CHAT', body: 'x' }, options);
      expect(minimal).toEqual({ value: { customerId: 'c', channel: 'CHAT', subject: null, body: 'x', orderAmount: null }, issues: [] });
    });

    it('names each bad field', () => {
      const schema = requireSchema(catalog, 'support-message-received');
      const bad = { customerId: '', channel: 'FAX', orderAmount: 49.9, body: 'x'.repeat(20001), extra: 1 };
      expect(issuesOf(schema, bad, { ...options, path: 'events.0' })).toEqual([
        { field: 'events.0.customerId', message: 'customerId must be longer than or equal to 1 characters' },
        { field: 'events.0.channel', message: 'channel must be one of the following values: EMAIL, CHAT, PHONE, SOCIAL' },
        { field: 'events.0.body', message: 'body must be shorter than or equal to 20000 characters' },
        { field: 'events.0.orderAmount', message: 'orderAmount must be a decimal string with up to 10 integer and 2 fraction digits, e.g. "129.90"' },
        { field: 'events.0.extra', message: 'property extra should not exist' },
      ]);
      expect(issuesOf(schema, { customerId: 'c', channel: 'CHAT', body: 'x', subject: 's'.repeat(501), metadata }, options)).toEqual([
        { field: 'subject', message: 'subject must be shorter than or equal to 500 characters' },
        { field: 'metadata', message: 'property metadata should not exist' },
      ]);
    });
  });

  it('never throws on 5,000 random malformed values; each gives issues or a value avsc accepts', () => {
    const random = prng(2024);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const junk = (depth: number): unknown => {
      const roll = random();
      if (depth > 3 || roll < 0.5) {
        return pick<unknown>([null, true, 0, -1, 1.5, 2 ** 31, 2 ** 53, NaN, '', 'x', '\ud800', 'EMAIL', '129.90', '2024-05-01T12:30:00Z', randomUUID(), '__proto__', []]);
      }
      if (roll < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => junk(depth + 1));
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--) out[pick(['a', 'customerId', 'body', 'constructor', 'metadata', 'channel'])] = junk(depth + 1);
      return out;
    };
    /** A valid sample with one property replaced, removed, or added, or plain junk. */
    const mutate = (json: unknown): unknown => {
      if (random() < 0.2 || typeof json !== 'object' || json === null || Array.isArray(json)) return junk(0);
      const copy: Record<string, unknown> = { ...(json as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const key = keys.length && random() < 0.8 ? pick(keys) : 'surprise';
      if (random() < 0.3) delete copy[key];
      else copy[key] = random() < 0.5 ? junk(0) : mutate(copy[key]);
      return copy;
    };
    const entries = [...catalog.values()];
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const entry = pick(entries);
      const json = mutate(sample(jsonSchemaOf(entry), random));
      const { value, issues } = fromJson(entry, json);
      if (issues.length === 0) {
        accepted++;
        expect(entry.type.isValid(value)).toBe(true);
      } else {
        for (const issue of issues) expect(typeof issue.field === 'string' && typeof issue.message === 'string').toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(5000);
  });
});

describe('parseDateTime', () => {
  it('is the date-time reader fromJson uses', () => {
    expect(parseDateTime('2024-05-01T12:30:00Z')?.getTime()).toBe(Date.UTC(2024, 4, 1, 12, 30));
    expect(parseDateTime('0099-01-01T00:00:00Z')?.getUTCFullYear()).toBe(99);
    expect(parseDateTime('2024-05-01')).toBeUndefined();
  });
});
