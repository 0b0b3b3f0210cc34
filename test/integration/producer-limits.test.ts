import { randomBytes } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { loadSchemaCatalog } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { KeyPartitioner, RecordTooLargeError, SpineProducer, TopicCodecs } from '@spine/runtime';
import { failureOf } from '../harness/failure-of.js';
import { uniquePrefix } from '../harness/ids.js';
import { readRaw, testKafka } from '../harness/spine-fixture.js';

/**
 * Spine's producer against the broker's size limits, on the real broker: sends stay under each topic's
 * `max.message.bytes`, a record that can never fit is refused before anything is sent, and a send the broker
 * refuses for one partition does not make the producer lose later records of the others (kafkajs rolls its
 * idempotent sequence numbers back even where the broker appended; the broker then drops the next records as
 * retries it has seen).
 */
describe('producer: record size limits and idempotence after a refused send', () => {
  let kafka: Kafka;
  let admin: Admin;
  let partitioner: KeyPartitioner;
  let producer: SpineProducer;
  let raw: Producer;
  const prefix = uniquePrefix('limits');
  const created: string[] = [];

  beforeAll(async () => {
    kafka = testKafka('test-producer-limits');
    admin = kafka.admin();
    await admin.connect();
    partitioner = new KeyPartitioner(kafka.admin());
    await partitioner.start();
    const codecs = new TopicCodecs({ prefix, partitions: 1, replicationFactor: 1 }, await loadSchemaCatalog(), RegistryClient.fromEnv(), new AvroSerde(RegistryClient.fromEnv()));
    producer = new SpineProducer(kafka, codecs, partitioner);
    await producer.connect();
    raw = kafka.producer();
    await raw.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await raw.disconnect();
    await partitioner.stop();
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  async function topicWithLimit(name: string, partitions: number, maxMessageBytes: number): Promise<string> {
    const topic = `${prefix}${name}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries: [{ name: 'max.message.bytes', value: String(maxMessageBytes) }] }], waitForLeaders: true });
    created.push(topic);
    await partitioner.ensure([topic]);
    return topic;
  }

  const bytes = (n: number) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);

  it('refuses a publish with a record its topic can never accept before sending any of it', async () => {
    const topic = await topicWithLimit('refused', 2, 2048);
    const resetsBefore = producer.producerIdResets;
    const error = await failureOf(producer.sendRaw([
      { topic, message: { key: 'a', value: 'fits', partition: 0 } },
      { topic, message: { key: 'b', value: bytes(10_000), partition: 1 } },
    ]));
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect((error as RecordTooLargeError).limitBytes).toBe(2048);
    expect((error as Error).message).toMatch(new RegExp(`larger than ${topic.replace(/\./g, '\\.')} accepts \\(max\\.message\\.bytes 2048\\)`));
    const [after] = await producer.sendRaw([{ topic, message: { key: 'a', value: 'after', partition: 0 } }]);
    expect(after!.offset).toBe('0'); // the refused publish's other record was not sent
    expect(producer.producerIdResets).toBe(resetsBefore); // refused here, not by the broker: no send failed
  });

  it('lets through everything the broker accepts but the last few bytes, and nothing it refuses', async () => {
    const topic = await topicWithLimit('boundary', 1, 2048);
    const headers = { 'x-correlation-id': 'c'.repeat(36), 'x-attempt': '1' };
    const verdicts: Array<{ size: number; ours: boolean; broker: boolean }> = [];
    for (let size = 1_880; size <= 2_000; size += 2) {
      const message = { key: 'k', value: bytes(size), headers };
      const ours = await producer.sendRaw([{ topic, message: { ...message, partition: 0 } }]).then(() => true, (e: unknown) => {
        if (!(e instanceof RecordTooLargeError)) throw e;
        return false;
      });
      const broker = await raw.send({ topic, messages: [{ ...message, partition: 0 }] }).then(() => true, () => false);
      verdicts.push({ size, ours, broker });
    }
    expect(verdicts.some((v) => !v.broker)).toBe(true); // the range does cross the broker's limit
    expect(verdicts.filter((v) => v.ours && !v.broker)).toEqual([]); // never sends what the broker refuses
    const refusedEarly = verdicts.filter((v) => !v.ours && v.broker);
    expect(refusedEarly.length).toBeLessThanOrEqual(4); // over-counts by at most 8 bytes
  });

  it('splits concurrent publishes into sends under the topic\'s limit, every record once and in order', async () => {
    const topic = await topicWithLimit('split', 1, 4096);
    const resetsBefore = producer.producerIdResets;
    const values = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(3, '0')}-${bytes(1_000)}`);
    const published = await Promise.all(values.map((value) => producer.sendRaw([{ topic, message: { key: 'same', value, partition: 0 } }])));
    expect(published.map(([p]) => Number(p!.offset))).toEqual(values.map((_, i) => i));
    expect(producer.producerIdResets).toBe(resetsBefore); // no send was refused and isolated
    const stored = await readRaw(kafka, topic, values.length);
    expect(stored.map((r) => r.value!.toString())).toEqual(values);
  });

  it('after the broker refuses one partition of a send, later records of the other partitions are not lost', async () => {
    const topic = await topicWithLimit('mixed', 2, 1_048_588);
    await producer.sendRaw([{ topic, message: { key: 'warm', value: 'learns the 1 MB limit', partition: 1 } }]);
    // The limit shrinks after the producer read it: the broker, not the producer, refuses the next large record.
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }] });
    const large = bytes(10_000);
    await expect(until(() => raw.send({ topic, messages: [{ value: large, partition: 0 }] }).then(() => false, () => true))).resolves.toBe(true);
    const resetsBefore = producer.producerIdResets;
    const error = await failureOf(producer.sendRaw([
      { topic, message: { key: 'big', value: large, partition: 0 } },
      { topic, message: { key: 'small', value: 'shares the refused request', partition: 1 } },
    ]));
    expect((error as { type?: string }).type ?? (error as { cause?: { type?: string } }).cause?.type).toBe('MESSAGE_TOO_LARGE');
    const later = ['later-1', 'later-2', 'later-3'];
    for (const value of later) await producer.sendRaw([{ topic, message: { key: 'small', value, partition: 1 } }]);
    const count = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const stored = (await readRaw(kafka, topic, count)).filter((r) => r.partition === 1).map((r) => r.value!.toString());
    expect(stored).toEqual(expect.arrayContaining(later)); // kafkajs alone drops 'later-1' (taken for a retry)
    expect(producer.producerIdResets).toBe(resetsBefore + 1);
  });
});

/** Polls `check` until it answers true (a topic config change reaches the broker's log in a moment). */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
