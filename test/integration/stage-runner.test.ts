import { setTimeout as sleep } from 'node:timers/promises';
import { supportTriage } from '@spine/platform';
import { DLQ_HEADERS, PermanentError, type InboundMessage, type StageRunner } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';
import { startStage, type TestHandler } from '../harness/stage.js';
import { enrichedEmit, supportMessage } from '../harness/support-records.js';

const { topics, stages } = supportTriage;

/** The stage runtime on its own, against the real broker and registry, with handlers that misbehave on purpose. */
describe('StageRunner', () => {
  let fx: SpineFixture;
  const runners: StageRunner[] = [];

  beforeEach(async () => {
    fx = await provisionedFixture('runner', 3);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await fx.close();
  });

  const message = (customerId: string, body: string) => supportMessage(customerId, body);

  async function run(handler: TestHandler<SupportMessageReceived>): Promise<StageRunner> {
    const runner = await startStage(fx, { ...stages.enrichment, maxAttempts: 3 }, handler);
    runners.push(runner);
    return runner;
  }

  const enrich = (m: InboundMessage<SupportMessageReceived>) => enrichedEmit(m.value);

  it('retries a transient failure with backoff and emits once; a permanent one goes to the DLQ at once', async () => {
    const attempts = new Map<string, number[]>();
    await run(async (m) => {
      attempts.set(m.value.body, [...(attempts.get(m.value.body) ?? []), m.attempt]);
      if (m.value.body === 'flaky' && m.attempt < 3) throw new Error('model timed out');
      if (m.value.body === 'poison') throw new PermanentError('cannot triage this');
      return enrich(m);
    });
    await fx.producer.publish([
      { topic: topics.supportMessages, key: 'a', value: message('a', 'flaky') },
      { topic: topics.supportMessages, key: 'b', value: message('b', 'poison') },
    ]);
    const [output] = await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 1);
    expect(output).toBeDefined();
    expect(attempts.get('flaky')).toEqual([1, 2, 3]);
    const [dead] = await readRaw(fx.kafka, fx.topology.topics.enrichmentDeadLetters.name, 1);
    expect(dead!.headers[DLQ_HEADERS.errorClass]).toBe('PermanentError');
    expect(dead!.headers[DLQ_HEADERS.attempts]).toBe('1');
    expect(attempts.get('poison')).toEqual([1]);
  });

  it('never dead-letters a record because a dependency is down: it is redelivered once the dependency is back', async () => {
    let outageCalls = 0;
    await run(async (m) => {
      if (outageCalls < 5) {
        outageCalls++;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      }
      return enrich(m);
    });
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'c', value: message('c', 'during an outage') }]);
    const [output] = await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 1, 60_000);
    expect(output).toBeDefined();
    expect(outageCalls).toBe(5); // more than maxAttempts (3): the batch failed and was redelivered
    const dlqOffsets = await fx.admin.fetchTopicOffsets(fx.topology.topics.enrichmentDeadLetters.name);
    expect(dlqOffsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(0);
  });

  it('keeps other partitions flowing while one record takes far longer than the rest', async () => {
    const done = new Map<string, number>();
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    await run(async (m) => {
      if (m.value.body === 'slow') await slowGate; // a model call that takes "forever"
      done.set(m.value.body, Date.now());
      return enrich(m);
    });
    const slowPartition = fx.partitioner.partition(fx.topology.topics.supportMessages.name, await fx.codecs.get(topics.supportMessages).encodeKey('slow-key'));
    // Keys whose partition differs from the slow one's.
    const otherKeys: string[] = [];
    for (let i = 0; otherKeys.length < 10; i++) {
      const key = `fast-${i}`;
      if (fx.partitioner.partition(fx.topology.topics.supportMessages.name, await fx.codecs.get(topics.supportMessages).encodeKey(key)) !== slowPartition) otherKeys.push(key);
    }
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'slow-key', value: message('slow-key', 'slow') }]);
    await sleep(500);
    await fx.producer.publish(otherKeys.map((key, i) => ({ topic: topics.supportMessages, key, value: message(key, `fast ${i}`) })));
    try {
      const deadline = Date.now() + 20_000;
      while (otherKeys.some((_, i) => !done.has(`fast ${i}`)) && Date.now() < deadline) await sleep(100);
      expect(otherKeys.filter((_, i) => done.has(`fast ${i}`))).toHaveLength(10);
      expect(done.has('slow')).toBe(false);
    } finally {
      releaseSlow();
    }
    await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 11, 30_000);
  });

  it('keeps per-key order while handling different keys concurrently', async () => {
    const seen = new Map<string, number[]>();
    let running = 0;
    let peak = 0;
    await run(async (m) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5 + Math.random() * 20);
      seen.set(m.value.customerId, [...(seen.get(m.value.customerId) ?? []), Number(m.value.body)]);
      running--;
      return enrich(m);
    });
    const emits = Array.from({ length: 60 }, (_, i) => ({ topic: topics.supportMessages, key: `k${i % 4}`, value: message(`k${i % 4}`, String(i)) }));
    await fx.producer.publish(emits);
    await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 60, 60_000);
    expect(seen.size).toBe(4);
    for (const bodies of seen.values()) {
      expect(bodies).toEqual([...bodies].sort((a, b) => a - b));
      expect(bodies).toHaveLength(15);
    }
    expect(peak).toBeGreaterThan(1);
  });
});
