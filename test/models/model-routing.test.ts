/** @jest-environment <rootDir>/test/models/host-typed-arrays.environment.mjs */
import { setTimeout as sleep } from 'node:timers/promises';
import { payments, supportTriage } from '@spine/platform';
import { Registry } from 'prom-client';
import { ModelControl, ModelServing, type ModelServingFactory } from '@spine/model-lifecycle';
import { loadTriageModel } from '@spine/triage-model';
import { InferenceStage } from '../../apps/inference/src/inference.stage.js';
import { triageBinding } from '../../apps/inference/src/triage-binding.js';
import { startStage } from '../harness/stage.js';
import { enrichedEmit, supportMessage } from '../harness/support-records.js';
import type { FraudScore, ModelControlEvent, PaymentTransactionEnriched, SupportMessageEnriched, SupportTriageResult } from '@spine/schemas';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { paymentBatches } from './fraud-inputs.js';
import { freePort } from '../harness/free-port.js';
import { fraudInstance, fraudModel, onnxAdapter, testFraudBinding, type FraudInstance } from './model-instances.js';
import { TopicCollector } from './topic-collector.js';

const { stages, topics } = payments;
const STAGE = stages.fraudScoring.name;
const MODEL = stages.fraudScoring.model!.name;
const by = { actor: 'test-operator', reason: 'test' };

// Real payments with the features enrichment computes, in batches with fresh event ids.
const batch = paymentBatches('');

describe('model routing from the control topic (two instances of fraud-scoring, real Kafka)', () => {
  let fx: SpineFixture;
  let ops: ModelControl;
  let a: FraudInstance;
  let b: FraudInstance;
  let results: TopicCollector<FraudScore>;
  let shadows: TopicCollector<FraudScore>;
  let deadLetters: TopicCollector<Buffer>;
  let triageModels: Awaited<ReturnType<typeof loadTriageModel>>[];

  async function publish(records: PaymentTransactionEnriched[]): Promise<Set<string>> {
    await fx.producer.publish(records.map((value) => ({ topic: topics.enrichedTransactions, key: value.transaction.cardId, value })));
    return new Set(records.map((r) => r.transaction.metadata.eventId));
  }
  const resultsOf = async (ids: Set<string>, timeoutMs = 30_000) => (await results.until((vs) => vs.filter((v) => ids.has(v.metadata.eventId)).length >= ids.size, timeoutMs, `${ids.size} results`)).filter((v) => ids.has(v.metadata.eventId));

  beforeAll(async () => {
    fx = await provisionedFixture('routing', 3);
    triageModels = [await loadTriageModel({ version: '1.1.0' })];
    ops = new ModelControl({ kafka: fx.kafka, codecs: fx.codecs, clientId: `${fx.prefix}ops` });
    await ops.start();
    const slow = async (input: PaymentTransactionEnriched) => (await sleep(120), fraudModel.score(input));
    [a, b] = await Promise.all([fraudInstance(fx, 'a', { binding: testFraudBinding({ [`${MODEL}@slow`]: slow }) }), fraudInstance(fx, 'b', { binding: testFraudBinding({ [`${MODEL}@slow`]: slow }) })]);
    results = await new TopicCollector<FraudScore>(fx, topics.fraudScores).start();
    shadows = await new TopicCollector<FraudScore>(fx, topics.fraudScoresShadow).start();
    deadLetters = await new TopicCollector<Buffer>(fx, stages.fraudScoring.deadLetter).start();
    await ops.register(MODEL, '2.0.0', onnxAdapter, { ...by, description: 'the ONNX export' });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([results?.stop(), shadows?.stop(), deadLetters?.stop(), ops?.stop()]);
    await fx?.close();
  }, 60_000);

  it('promotes v2 at runtime: every instance switches within seconds, no restart; a rollback returns to v1; the topic holds the history', async () => {
    const before = await resultsOf(await publish(batch(30)));
    expect(new Set(before.map((r) => `${r.model.version}/${r.model.routing}`))).toEqual(new Set(['1.0.0/CHAMPION']));

    const promotedAt = Date.now();
    const promotion = await ops.promote(STAGE, '2.0.0', by);
    await Promise.all([a, b].map((i) => waitFor(() => i.control.routing(STAGE).champion === '2.0.0', 10_000)));
    const switchMs = Date.now() - promotedAt; // a figure, not an assertion: the wait above bounds it at 10 s

    const batchInputs = batch(30);
    const after = await resultsOf(await publish(batchInputs));
    expect(after.every((r) => r.model.version === '2.0.0' && r.model.routing === 'CHAMPION' && r.model.revision === promotion.routing!.revision)).toBe(true);
    // Both instances served v2 (the input's partitions are split between them).
    for (const i of [a, b]) expect(await routed(i, '2.0.0')).toBeGreaterThan(0);
    // Same model, exported to ONNX: same scores as v1 gave the same payments.
    const expected = new Map(batchInputs.map((input) => [input.transaction.transactionId, fraudModel.score(input).score]));
    for (const r of after) expect(Math.abs(r.score - expected.get(r.transactionId)!)).toBeLessThan(1e-9);

    await ops.rollback(STAGE, by);
    await Promise.all([a, b].map((i) => waitFor(() => i.control.routing(STAGE).champion === '1.0.0', 10_000)));
    const rolledBack = await resultsOf(await publish(batch(30)));
    expect(new Set(rolledBack.map((r) => r.model.version))).toEqual(new Set(['1.0.0']));

    const history = await controlRecords(fx);
    expect(history.map((e) => e.change.action)).toEqual(expect.arrayContaining(['REGISTER', 'PROMOTE', 'ROLLBACK']));
    const actions = history.map((e) => e.change.action);
    expect(actions.indexOf('PROMOTE')).toBeLessThan(actions.lastIndexOf('ROLLBACK'));
    console.info(`[figure] promote → both instances switched in ${switchMs} ms`);
  }, 120_000);

  it('shadow results land only on the shadow topic; the primary result topic is unchanged', async () => {
    await ops.shadow(STAGE, ['2.0.0'], by);
    await Promise.all([a, b].map((i) => waitFor(() => i.control.routing(STAGE).shadows.includes('2.0.0'), 10_000)));
    const ids = await publish(batch(20));
    const primary = await resultsOf(ids);
    const shadowed = (await shadows.until((vs) => vs.filter((v) => ids.has(v.metadata.eventId)).length >= 20)).filter((v) => ids.has(v.metadata.eventId));
    await sleep(1_000); // anything extra would have arrived by now
    expect(results.values.filter((v) => ids.has(v.metadata.eventId))).toHaveLength(20);
    expect(primary.every((r) => r.model.version === '1.0.0' && r.model.routing === 'CHAMPION')).toBe(true);
    expect(shadows.values.filter((v) => ids.has(v.metadata.eventId))).toHaveLength(20);
    expect(shadowed.every((r) => r.model.version === '2.0.0' && r.model.routing === 'SHADOW')).toBe(true);
    await ops.shadow(STAGE, [], by);
  }, 60_000);

  it('splits A/B 50/50 over 1,000 entities: each version gets 40–60 %, and each entity always the same version', async () => {
    await ops.split(STAGE, [{ version: '2.0.0', percent: 50 }], by);
    await Promise.all([a, b].map((i) => waitFor(() => i.control.routing(STAGE).splits.length === 1, 10_000)));
    const entities = (records: PaymentTransactionEnriched[]) => records.map((r, i) => ({ ...r, transaction: { ...r.transaction, cardId: `ab-card-${i}` } }));
    const first = await resultsOf(await publish(entities([...batch(300), ...batch(300), ...batch(300), ...batch(100)])), 60_000);
    const second = await resultsOf(await publish(entities([...batch(300), ...batch(300), ...batch(300), ...batch(100)])), 60_000);
    const versionOf = (rs: FraudScore[]) => new Map(rs.map((r) => [r.cardId, `${r.model.version}/${r.model.routing}`]));
    const v1 = versionOf(first);
    expect(v1.size).toBe(1_000);
    const share = [...v1.values()].filter((v) => v === '2.0.0/AB').length / v1.size;
    expect(share).toBeGreaterThanOrEqual(0.4);
    expect(share).toBeLessThanOrEqual(0.6);
    expect(new Set(v1.values())).toEqual(new Set(['1.0.0/CHAMPION', '2.0.0/AB']));
    expect(versionOf(second)).toEqual(v1); // sticky across records, partitions and both instances
    await ops.split(STAGE, [], by);
    console.info(`[figure] A/B 50/50 over 1,000 entities: ${(share * 100).toFixed(1)} % to the B arm`);
  }, 120_000);

  it('rolls a failing canary back by itself, naming the reason; no record is lost or dead-lettered', async () => {
    const deadPort = await freePort(); // nothing listens: every call is refused
    await ops.register(MODEL, '3.0.0-broken', { kind: 'oip-v2', url: `http://127.0.0.1:${deadPort}`, remoteName: MODEL, timeoutMs: 500, retries: { maxAttempts: 1 } }, by);
    await ops.guard(STAGE, { minCalls: 5, windowMs: 30_000, maxErrorRate: 0.2 }, by);
    await ops.ramp(STAGE, '3.0.0-broken', { steps: [50, 100], stepIntervalMs: 60_000 }, by);
    const ids = await publish(batch(100));
    const all = await resultsOf(ids, 60_000);
    const rollback = await waitFor(() => ops.history(STAGE).find((e) => e.change.action === 'ROLLBACK' && e.change.automatic && e.change.version === '3.0.0-broken'), 20_000);
    expect(rollback.change.reason).toMatch(/^3\.0\.0-broken: error rate \d+\.\d % over \d+ calls exceeds 20\.0 %/);
    expect(rollback.routing!.canary).toBeNull();
    expect(all).toHaveLength(100);
    // Canary keys were answered by the champion while the canary failed, and say so.
    expect(all.filter((r) => r.model.routing === 'FALLBACK').every((r) => r.model.version === '1.0.0' && r.model.arm === '3.0.0-broken')).toBe(true);
    expect(all.some((r) => r.model.routing === 'FALLBACK')).toBe(true);
    expect(all.every((r) => r.model.version === '1.0.0')).toBe(true);
    expect(deadLetters.values).toHaveLength(0);
  }, 120_000);

  it('rolls back a canary whose latency p95 passes the bound', async () => {
    await ops.register(MODEL, '3.1.0-slow', { kind: 'in-process', function: `${MODEL}@slow` }, by);
    await ops.guard(STAGE, { minCalls: 5, maxLatencyP95Ms: 60, maxErrorRate: 0.2 }, by);
    await ops.ramp(STAGE, '3.1.0-slow', { steps: [50, 100], stepIntervalMs: 60_000 }, by);
    const ids = await publish(batch(60));
    const rollback = await waitFor(() => ops.history(STAGE).find((e) => e.change.action === 'ROLLBACK' && e.change.automatic && e.change.version === '3.1.0-slow'), 30_000);
    expect(rollback.change.reason).toMatch(/latency p95 \d+ ms over \d+ calls exceeds 60 ms/);
    expect(await resultsOf(ids, 60_000)).toHaveLength(60);
    expect(deadLetters.values).toHaveLength(0);
  }, 120_000);

  it('advances a healthy canary step by step until it is the champion', async () => {
    await ops.register(MODEL, '2.1.0', onnxAdapter, by);
    await ops.guard(STAGE, { minCalls: 3, maxLatencyP95Ms: 2_000 }, by);
    await ops.ramp(STAGE, '2.1.0', { steps: [30, 60], stepIntervalMs: 1_000 }, by);
    const deadline = Date.now() + 40_000;
    while (ops.routing(STAGE).champion !== '2.1.0' && Date.now() < deadline) {
      await publish(batch(20));
      await sleep(300);
    }
    const story = ops.history(STAGE, 8).map((e) => `${e.change.action} ${e.change.version} ${e.change.reason}`).join('\n');
    expect(`${ops.routing(STAGE).champion}\n${story}`).toMatch(/^2\.1\.0\n/);
    const advances = ops.history(STAGE).filter((e) => e.change.action === 'ADVANCE' && e.change.version === '2.1.0');
    expect(advances.length).toBeGreaterThanOrEqual(2); // 30 → 60, 60 → champion
    expect(advances.every((e) => e.change.automatic && /healthy for 1000 ms/.test(e.change.reason))).toBe(true);
    expect(deadLetters.values).toHaveLength(0);
  }, 90_000);

  it('cuts a slow shadow off (records do not wait for it) and rolls it back on its timeouts', async () => {
    await ops.register(MODEL, '3.2.0-slow-shadow', { kind: 'in-process', function: `${MODEL}@slow` }, by);
    await ops.guard(STAGE, { minCalls: 5, maxLatencyP95Ms: 25, maxTimeoutRate: 0.2, maxErrorRate: 0.5 }, by);
    await ops.shadow(STAGE, ['3.2.0-slow-shadow'], by);
    await Promise.all([a, b].map((i) => waitFor(() => i.control.routing(STAGE).shadows.length === 1, 10_000)));
    const started = Date.now();
    const ids = await publish(batch(40));
    const answered = await resultsOf(ids, 60_000);
    expect(answered).toHaveLength(40);
    expect(answered.every((r) => r.model.routing === 'CHAMPION')).toBe(true);
    const rollback = await waitFor(() => ops.history(STAGE).find((e) => e.change.action === 'ROLLBACK' && e.change.automatic && e.change.version === '3.2.0-slow-shadow'), 20_000);
    expect(rollback.change.reason).toMatch(/timeout rate|latency p95|error rate/);
    expect(rollback.routing!.shadows).toEqual([]);
    // The shadow (120 ms a call) was cut off at 50 ms: none of its answers made it to the shadow topic.
    expect(shadows.values.filter((v) => ids.has(v.metadata.eventId))).toHaveLength(0);
    console.info(`[figure] 40 records with a 120 ms shadow cut off at 50 ms: all answered in ${Date.now() - started} ms`);
  }, 90_000);

  it('a remote champion that is down opens its circuit; its records are redelivered, never dead-lettered or answered with garbage; another model\'s stage keeps its throughput', async () => {
    // Another model's stage in the same process: support triage, in-process model, its own router.
    const triage = await new TopicCollector<SupportTriageResult>(fx, supportTriage.topics.triageResults).start();
    const triageServing = new ModelServing(supportTriage.stages.inference, triageBinding(triageModels), { control: a.control, registry: new Registry() });
    const inference = new InferenceStage(triageModels, { create: () => triageServing } as unknown as ModelServingFactory);
    const triageRunner = await startStage<SupportMessageEnriched>(fx, supportTriage.stages.inference, (m) => inference.infer(m));
    const triageRound = async (n: number) => {
      const messages = Array.from({ length: n }, (_, i) => supportMessage(`cust-${i % 50}`, `My order ${i} has not arrived and I want a refund`));
      const ids = new Set(messages.map((m) => m.metadata.eventId));
      const t0 = Date.now();
      await fx.producer.publish(messages.map((m) => enrichedEmit(m)));
      await triage.until((vs) => vs.filter((v) => ids.has(v.metadata.eventId)).length >= n, 60_000, `${n} triage results`);
      return Date.now() - t0;
    };
    try {
      await triageRound(50); // warm
      const baselineMs = await triageRound(300);

      const deadPort = await freePort();
      const earlier = ops.routing(STAGE).champion;
      await ops.register(MODEL, '4.0.0-remote', { kind: 'oip-v2', url: `http://127.0.0.1:${deadPort}`, remoteName: MODEL, timeoutMs: 500, retries: { maxAttempts: 2, initialDelayMs: 20 }, circuitBreaker: { consecutiveFailures: 3, cooldownMs: 60_000 } }, by);
      await ops.promote(STAGE, '4.0.0-remote', by);
      await Promise.all([a, b].map((i) => waitFor(() => i.control.routing(STAGE).champion === '4.0.0-remote', 10_000)));
      const outageStarted = Date.now();
      const ids = await publish(batch(10));
      const duringMs = await triageRound(300);
      await sleep(Math.max(0, 6_000 - (Date.now() - outageStarted)));
      expect(results.values.filter((v) => ids.has(v.metadata.eventId))).toHaveLength(0);
      expect(deadLetters.values).toHaveLength(0);
      const open = await Promise.all([a, b].map(async (i) => (await i.registry.getSingleMetric('spine_model_circuit_state')?.get())?.values.some((v) => v.labels.version === '4.0.0-remote' && v.value === 2)));
      expect(open).toContain(true);
      // The triage stage kept processing while the fraud model's backend was down (all 300 answered; its pace is a figure).
      console.info(`[figure] 300 triage records: ${baselineMs} ms before, ${duringMs} ms while the fraud champion's backend was down`);

      // The operator rolls back: the records waiting for redelivery are answered by the earlier champion.
      await ops.rollback(STAGE, by);
      const answered = await resultsOf(ids, 60_000);
      expect(answered.every((r) => r.model.version === earlier)).toBe(true);
      expect(deadLetters.values).toHaveLength(0);
    } finally {
      await triageRunner.stop();
      await triageServing.close();
      await triage.stop();
    }
  }, 150_000);
});

async function routed(instance: FraudInstance, version: string): Promise<number> {
  const metric = await instance.registry.getSingleMetric('spine_model_routed_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.version === version).reduce((s, v) => s + v.value, 0);
}

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function controlRecords(fx: SpineFixture): Promise<ModelControlEvent[]> {
  const collector = await new TopicCollector<ModelControlEvent>(fx, (await import('@spine/platform')).modelControlTopic).start();
  const codec = await fx.codecs.resolve((await import('@spine/platform')).modelControlTopic);
  const end = (await fx.admin.fetchTopicOffsets(codec.name)).reduce((s, p) => s + Number(p.high), 0);
  await collector.until((vs) => vs.length >= end);
  await collector.stop();
  return collector.values;
}
