import { randomUUID } from 'node:crypto';
import type { SupportMessageReceived } from '@spine/schemas';
import { SchemaValidationError, UnknownSchemaIdError, WireFormatError, frame } from '@spine/serde';
import { supportTriage } from '@spine/platform';
import { subjectFor } from '@spine/topology';

const { topics } = supportTriage;
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';

function sampleMessage(overrides: Partial<SupportMessageReceived> = {}): SupportMessageReceived {
  return {
    metadata: {
      eventId: randomUUID(),
      occurredAt: new Date('2026-11-20T08:30:00.123Z'),
      receivedAt: new Date(),
      source: 'crm',
      correlationId: randomUUID(),
    },
    customerId: 'cust-42',
    channel: 'EMAIL',
    subject: null,
    body: 'My invoice shows a double charge of 49.90, please refund one of them.',
    orderAmount: '-1234567890.05',
    ...overrides,
  };
}

describe('typed Avro topics on the real broker and registry', () => {
  let fx: SpineFixture;

  beforeAll(async () => {
    fx = await provisionedFixture('typed');
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('produces and consumes a record whose logical types, unions, enums and nested records round-trip exactly', async () => {
    const value = sampleMessage({ subject: 'Double charge', channel: 'SOCIAL' });
    await fx.producer.publish([{ topic: topics.supportMessages, key: value.customerId, value }]);
    const [record] = await readRaw(fx.kafka, fx.topology.topics.supportMessages.name, 1);
    const codec = fx.codecs.get(topics.supportMessages);
    expect(await codec.decodeKey(record!.key)).toBe('cust-42');
    const decoded = await codec.decodeValue<SupportMessageReceived>(record!.value);
    expect(decoded).toEqual(value);
    expect(decoded.metadata.occurredAt).toBeInstanceOf(Date);
    expect(decoded.metadata.occurredAt.getTime()).toBe(value.metadata.occurredAt.getTime());
    expect(decoded.orderAmount).toBe('-1234567890.05');
  });

  it('writes the Confluent wire format: magic byte 0 and the schema id the registry holds for the subject', async () => {
    const value = sampleMessage();
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'wire', value }]);
    const records = await readRaw(fx.kafka, fx.topology.topics.supportMessages.name, 2);
    const record = records.find((r) => r.key?.subarray(5).toString().includes('wire'))!;
    const subject = subjectFor(fx.topology.topics.supportMessages.name, 'value');
    const latest = await fetch(`${process.env.SCHEMA_REGISTRY_URL}/subjects/${encodeURIComponent(subject)}/versions/latest`).then((r) => r.json() as Promise<{ id: number; schema: string }>);
    expect(record.value![0]).toBe(0);
    expect(record.value!.readUInt32BE(1)).toBe(latest.id);
    const byId = await fetch(`${process.env.SCHEMA_REGISTRY_URL}/schemas/ids/${latest.id}`).then((r) => r.json() as Promise<{ schema: string }>);
    const registered = JSON.parse(byId.schema) as { name: string; namespace?: string };
    expect([registered.namespace, registered.name].filter(Boolean).join('.')).toBe('spine.crm.SupportMessageReceived');
    expect(record.key![0]).toBe(0); // keys are Avro in the wire format too
  });

  it('reports the exact partition and offset of every record, also when concurrent publishes share one send', async () => {
    const topic = fx.topology.topics.enrichedMessages.name;
    const values = Array.from({ length: 30 }, (_, i) => sampleMessage({ customerId: `c-${i % 9}`, body: `message ${i}` }));
    const features = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 9, previousContactAt: null, lifetimeOrderAmount: '0.00' };
    const published = (
      await Promise.all(values.map((message) => fx.producer.publish([{ topic: topics.enrichedMessages, key: message.customerId, value: { message, features } }])))
    ).flat();
    const records = await readRaw(fx.kafka, topic, values.length);
    const codec = fx.codecs.get(topics.enrichedMessages);
    for (const [i, where] of published.entries()) {
      const record = records.find((r) => r.partition === where.partition && r.offset === where.offset);
      expect(record).toBeDefined();
      const decoded = await codec.decodeValue<{ message: { body: string } }>(record!.value);
      expect(decoded.message.body).toBe(`message ${i}`);
    }
    // One key, one partition: per-key order is what consumers rely on.
    const partitionsOfKey = new Set(published.filter((_, i) => values[i]!.customerId === 'c-0').map((p) => p.partition));
    expect(partitionsOfKey.size).toBe(1);
  });

  it('refuses to produce a value that does not match its schema, naming each bad field', async () => {
    const bad = sampleMessage({ channel: 'FAX' as never, orderAmount: '12.345' });
    const attempt = fx.producer.publish([{ topic: topics.supportMessages, key: 'k', value: bad }]);
    await expect(attempt).rejects.toBeInstanceOf(SchemaValidationError);
    const error = (await attempt.catch((e: unknown) => e)) as SchemaValidationError;
    expect(error.issues.map((i) => i.field).sort()).toEqual(['channel', 'orderAmount']);
    expect(error.message).toMatch(/channel: expected one of EMAIL, CHAT, PHONE, SOCIAL/);
  });

  it('names a missing nested field', async () => {
    const bad = sampleMessage();
    delete (bad.metadata as Partial<typeof bad.metadata>).correlationId;
    const error = (await fx.producer.publish([{ topic: topics.supportMessages, key: 'k', value: bad }]).catch((e: unknown) => e)) as SchemaValidationError;
    expect(error).toBeInstanceOf(SchemaValidationError);
    expect(error.issues).toEqual([expect.objectContaining({ field: 'metadata.correlationId' })]);
  });

  it('decodes a record with an unknown schema id as a clear error, not a crash', async () => {
    const bytes = frame(2_000_000_000, Buffer.from([2, 0x41]));
    const codec = fx.codecs.get(topics.supportMessages);
    await expect(codec.decodeValue(bytes)).rejects.toBeInstanceOf(UnknownSchemaIdError);
    await expect(codec.decodeValue(bytes)).rejects.toThrow('schema id 2000000000 is not known to the schema registry');
    await expect(codec.decodeValue(Buffer.from('not avro at all'))).rejects.toBeInstanceOf(WireFormatError);
  });
});
