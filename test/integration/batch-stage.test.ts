import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { supportTriage } from '@spine/platform';
import { batchingHandler, DLQ_HEADERS, PermanentError, type InboundMessage, type StageRunner, type StageResult } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { resolveTopic, stage, provision, type StageSpec } from '@spine/topology';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';
import { startStage } from '../harness/stage.js';
import { enrichedEmit, supportMessage } from '../harness/support-records.js';

const { topics } = supportTriage;

/** Batch stages on the real broker: batches form, per-key order holds, a poison record fails alone. */
describe('batch stages', () => {
  let fx: SpineFixture;
  const runners: StageRunner[] = [];

  beforeAll(async () => {
    fx = await provisionedFixture('batch', 3);
  });

  afterAll(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await fx.close();
  });

  const message = (customerId: string, body: string) => supportMessage(customerId, body, 'batch');

  it('hands the handler batches, keeps each key in order, and dead-letters only the poison record of a batch', async () => {
    const spec: StageSpec = stage({ name: `batch-${randomUUID().slice(0, 6)}`, description: 'test', service: 'test', inputs: [topics.supportMessages], outputs: [topics.enrichedMessages], batch: { maxSize: 64, maxWaitMs: 10 }, maxAttempts: 2 });
    await provision([resolveTopic(spec.deadLetter, fx.topology.deployment)], { admin: fx.admin, registry: fx.registry, catalog: fx.catalog });
    const sizes: number[] = [];
    const seen = new Map<string, number[]>();
    const handler = batchingHandler(async (batch) => {
      const messages = batch as InboundMessage<SupportMessageReceived>[];
      sizes.push(messages.length);
      const keys = messages.map((m) => m.value.customerId);
      expect(new Set(keys).size).toBe(keys.length); // never two records of one key in a batch
      if (messages.some((m) => m.value.body === 'poison')) throw new PermanentError('the batch statement failed on a poison record');
      await sleep(5);
      for (const m of messages) seen.set(m.value.customerId, [...(seen.get(m.value.customerId) ?? []), Number(m.value.body)]);
      return messages.map((m) => enrichedEmit(m.value)) as StageResult<StageSpec>[];
    }, spec.batch!);
    runners.push(await startStage(fx, spec, handler as never));

    const records = Array.from({ length: 300 }, (_, i) => ({ topic: topics.supportMessages, key: `k${i % 20}`, value: message(`k${i % 20}`, String(i)) }));
    records.splice(150, 0, { topic: topics.supportMessages, key: 'k-poison', value: message('k-poison', 'poison') });
    await fx.producer.publish(records);

    const out = await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 300, 60_000);
    expect(out).toHaveLength(300);
    const [dead] = await readRaw(fx.kafka, resolveTopic(spec.deadLetter, fx.topology.deployment).name, 1);
    expect(dead!.headers[DLQ_HEADERS.errorMessage]).toMatch(/poison/);
    expect(Math.max(...sizes)).toBeGreaterThan(1); // batches really formed
    expect(seen.size).toBe(20);
    for (const bodies of seen.values()) {
      expect(bodies).toEqual([...bodies].sort((a, b) => a - b));
      expect(bodies).toHaveLength(15);
    }
  });
});
