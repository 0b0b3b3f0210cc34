import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DriftDetector, DriftGauges, driftEventKey } from '@spine/drift-detection';
import { generateTransactions, replayFeatures, toPaymentTransactionReceived } from '@spine/fraud-model';
import { modelDriftStage, modelDriftTopic, payments, spinePlatform } from '@spine/platform';
import { batchingHandler, SpineMetrics, type InboundMessage, type StageRunner, type StageResult } from '@spine/runtime';
import type { FraudDecision, FraudScore, ModelDriftEvent, PaymentTransactionEnriched } from '@spine/schemas';
import { groupIdOf, type StageSpec, type TopicSpec } from '@spine/topology';
import { prng } from '../harness/prng.js';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';
import { startStage } from '../harness/stage.js';

const { topics } = payments;
const settings = { referenceSize: 300, windowSize: 300, evaluateEvery: 50, bound: 0.2 };

/** Seeded synthetic payments with the features enrichment computes, shuffled so every slice has the same distribution. */
function enrichedPayments(): PaymentTransactionEnriched[] {
  const rows = replayFeatures(generateTransactions({ seed: 42, customers: 40 }));
  const random = prng(7);
  for (let i = rows.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows.map((r) => {
    const transaction = toPaymentTransactionReceived(r.tx);
    return { transaction: { ...transaction, metadata: { ...transaction.metadata, eventId: randomUUID() } }, features: r.features };
  });
}

/** Fraud scores of one model version; `skew` shapes the score distribution (higher: lower scores). */
function fraudScores(count: number, version: string, skew: number, seed: number): FraudScore[] {
  const random = prng(seed);
  const decide = (score: number): FraudDecision => (score < 0.5 ? 'APPROVE' : score < 0.8 ? 'REVIEW' : 'DECLINE');
  return Array.from({ length: count }, (_, i) => {
    const score = random() ** skew;
    const now = new Date();
    return {
      metadata: { eventId: randomUUID(), occurredAt: now, receivedAt: now, source: 'drift-test', correlationId: randomUUID() },
      transactionId: `tx-${version}-${seed}-${i}`,
      cardId: `card-${i % 40}`,
      customerId: `cust-${i % 40}`,
      amount: '10.00',
      score,
      decision: decide(score),
      reasons: [],
      model: { name: 'fraud-lr', version, routing: 'CHAMPION', arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null },
      scoredAt: now,
    };
  });
}

/** Waits until the drift stage's group has committed `count` records of `topic` (so their drift events are produced). */
async function waitCommitted(fx: SpineFixture, topic: TopicSpec, count: number, timeoutMs = 60_000): Promise<void> {
  const groupId = groupIdOf(modelDriftStage, fx.topology.deployment);
  const name = fx.topology.of(topic).name;
  const deadline = Date.now() + timeoutMs;
  let committed = 0;
  while (Date.now() < deadline) {
    const [offsets] = await fx.admin.fetchOffsets({ groupId, topics: [name] });
    committed = (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    if (committed >= count) return;
    await sleep(200);
  }
  throw new Error(`${groupId} committed ${committed}/${count} records of ${name} within ${timeoutMs} ms`);
}

/** Every drift event on the drift topic so far, decoded, with its key. */
async function driftEvents(fx: SpineFixture): Promise<Array<ModelDriftEvent & { key: unknown }>> {
  const name = fx.topology.of(modelDriftTopic).name;
  const total = (await fx.admin.fetchTopicOffsets(name)).reduce((sum, p) => sum + Number(p.high), 0);
  if (total === 0) return [];
  const codec = fx.codecs.get(modelDriftTopic);
  const records = await readRaw(fx.kafka, name, total);
  return Promise.all(records.map(async (r) => ({ ...(await codec.decodeValue<ModelDriftEvent>(r.value!)), key: await codec.decodeKey(r.key) })));
}

/** Drift detection on the real broker and registry: one drifting field raises one event; stable fields raise none. */
describe('model drift detection', () => {
  let fx: SpineFixture;
  const runners: StageRunner[] = [];
  let service: ServiceProcess | undefined;
  const dbSchema = uniqueSqlName('drift');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });

  beforeAll(async () => {
    fx = await provisionedFixture('drift', 1); // one partition: records reach the windows in the order produced
  });

  afterAll(async () => {
    await service?.stop().catch(() => service?.kill());
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await fx.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${dbSchema}" CASCADE`).catch(() => undefined);
    await pool.end();
  });

  it('raises exactly one event for a shifted feature, none for stable ones or a return to normal, and re-arms', async () => {
    const metrics = new SpineMetrics();
    const detector = new DriftDetector(spinePlatform.monitors, { settings, deployment: fx.topology.deployment, catalog: fx.catalog, gauges: new DriftGauges(metrics.registry) });
    expect(detector.problems).toEqual([]); // every registered monitor field exists and can be binned
    const handler = batchingHandler(async (batch) => {
      return (batch as InboundMessage<unknown>[]).map((m) => detector.observe(m).map((event) => ({ topic: modelDriftTopic, key: driftEventKey(event), value: event }))) as StageResult<StageSpec>[];
    }, modelDriftStage.batch!);
    const runner = await startStage(fx, modelDriftStage, handler as never, { metrics });
    runners.push(runner);
    try {
      await featureDrift(detector, metrics);
    } finally {
      await runners.splice(runners.indexOf(runner), 1)[0]!.stop(); // leave the group to the service of the next test
    }
  });

  /** Reference, normal window, one shifted feature, return to normal, shift again plus a categorical shift. */
  async function featureDrift(detector: DriftDetector, metrics: SpineMetrics): Promise<void> {
    const supply = enrichedPayments();
    let next = 0;
    let produced = 0;
    const phase = async (count: number, change: (p: PaymentTransactionEnriched) => PaymentTransactionEnriched = (p) => p) => {
      const records = supply.slice(next, (next += count)).map(change);
      await fx.producer.publish(records.map((value) => ({ topic: topics.enrichedTransactions, key: value.transaction.cardId, value })));
      produced += count;
      await waitCommitted(fx, topics.enrichedTransactions, produced);
      return driftEvents(fx);
    };
    const amountShift = (p: PaymentTransactionEnriched) => ({ ...p, features: { ...p.features, amountToCardAvg: p.features.amountToCardAvg * 5 } });

    // Reference, then a full window from the same distribution: evaluated (PSI gauges set), no event.
    expect(await phase(settings.referenceSize + settings.windowSize)).toEqual([]);
    const gauges = await metrics.registry.getSingleMetricAsString('spine_drift_psi');
    expect(gauges).toContain('field="transaction.channel"');
    expect(await metrics.registry.getSingleMetricAsString('spine_drift_reference_size')).toMatch(/field="features.amountToCardAvg",version=""\} 300/);

    // One feature shifted: exactly that field drifts, once.
    const afterShift = await phase(300, amountShift);
    expect(afterShift.map((e) => e.field)).toEqual(['features.amountToCardAvg']);
    expect(afterShift[0]).toMatchObject({ topic: topics.enrichedTransactions.name, key: `${topics.enrichedTransactions.name}/features.amountToCardAvg`, modelVersion: null, statistic: 'psi', bound: 0.2, referenceCount: 300, windowCount: 300 });
    expect(afterShift[0]!.value).toBeGreaterThan(settings.bound);
    expect(detector.tracker.get({ topic: topics.enrichedTransactions.name, field: 'features.amountToCardAvg', version: null })!.lastPsi).toBeGreaterThan(1); // the fully shifted window

    // Back to normal: PSI falls back under bound / 2 (re-armed); nothing new on the topic.
    expect(await phase(400)).toHaveLength(1);
    const amount = detector.tracker.get({ topic: topics.enrichedTransactions.name, field: 'features.amountToCardAvg', version: null })!;
    expect(amount.lastPsi).toBeLessThan(settings.bound / 2);
    expect(amount.isArmed).toBe(true);

    // The same shift again (re-armed: a second event) and every payment online (a categorical drift).
    const again = await phase(300, (p) => amountShift({ ...p, transaction: { ...p.transaction, channel: 'ONLINE' } }));
    expect(again.slice(1).map((e) => e.field).sort()).toEqual(['features.amountToCardAvg', 'transaction.channel']);
    expect(await metrics.registry.getSingleMetricAsString('spine_drift_events_total')).toMatch(/field="features.amountToCardAvg"\} 2/);
  }

  it('runs as the model-drift service: a reference per model version, only the drifting version reports, references survive a restart', async () => {
    const env = {
      SPINE_TOPIC_PREFIX: fx.prefix,
      SPINE_TOPIC_PARTITIONS: '1',
      SPINE_DB_SCHEMA: dbSchema,
      SPINE_DRIFT_REFERENCE_SIZE: String(settings.referenceSize),
      SPINE_DRIFT_WINDOW_SIZE: String(settings.windowSize),
      SPINE_DRIFT_EVALUATE_EVERY: String(settings.evaluateEvery),
      SPINE_SESSION_TIMEOUT_MS: '10000',
      SPINE_HEARTBEAT_INTERVAL_MS: '1000',
    };
    service = await new ServiceProcess('model-drift', await freePort(), env).start();
    const before = (await driftEvents(fx)).length; // the first test's events (same fixture)

    // Version 2.0.0 scores far higher than 1.0.0 from its first record: against 1.0.0's reference it would drift.
    const publish = async (records: FraudScore[]) => fx.producer.publish(records.map((value) => ({ topic: topics.fraudScores, key: value.cardId, value })));
    let produced = 2 * (settings.referenceSize + settings.windowSize);
    await publish([...fraudScores(produced / 2, '1.0.0', 3, 1), ...fraudScores(produced / 2, '2.0.0', 0.7, 2)]);
    await waitCommitted(fx, topics.fraudScores, produced);
    expect((await driftEvents(fx)).slice(before)).toEqual([]);

    // Only 1.0.0 shifts (its scores rise): only 1.0.0 reports.
    await publish([...fraudScores(300, '1.0.0', 0.7, 3), ...fraudScores(300, '2.0.0', 0.7, 4)]);
    await waitCommitted(fx, topics.fraudScores, (produced += 600));
    const events = (await driftEvents(fx)).slice(before);
    expect(events.map((e) => e.field)).toContain('score');
    expect(new Set(events.map((e) => e.modelVersion))).toEqual(new Set(['1.0.0']));
    expect(events.every((e) => e.topic === topics.fraudScores.name && e.key === `${topics.fraudScores.name}/${e.field}` && e.value > settings.bound)).toBe(true);
    expect(await service.metric('spine_drift_events_total{topic="spine.ai.fraud-score.v1",field="score"}')).toBe(1);
    expect(await service.metric('spine_drift_reference_size{topic="spine.ai.fraud-score.v1",field="score",version="2.0.0"}')).toBe(settings.referenceSize);
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    const stored = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${dbSchema}".drift_references WHERE scope = $1`, [fx.prefix]);
    expect(stored.rows[0]!.n).toBe(4); // score and decision of both versions

    // Restarted, the service judges 2.0.0 against its stored reference: 1.0.0-like scores drift at once (a
    // re-learnt reference would have taken them as normal).
    await service.stop();
    service = await new ServiceProcess('model-drift', await freePort(), env).start();
    await publish(fraudScores(settings.windowSize, '2.0.0', 3, 5));
    await waitCommitted(fx, topics.fraudScores, (produced += settings.windowSize));
    const afterRestart = (await driftEvents(fx)).slice(before + events.length);
    expect(afterRestart.map((e) => e.modelVersion)).toContain('2.0.0');
    expect(afterRestart.find((e) => e.field === 'score')).toMatchObject({ modelVersion: '2.0.0', referenceCount: settings.referenceSize, windowCount: settings.windowSize });

    // 1.0.0's drift went on through the restart: a full window more of it reports nothing new (the restarted
    // service read its earlier events back from the drift topic instead of reporting the same drift twice).
    const versionEvents = async (version: string, since: number) => (await driftEvents(fx)).slice(since).filter((e) => e.modelVersion === version);
    let seen = (await driftEvents(fx)).length;
    await publish(fraudScores(settings.windowSize, '1.0.0', 0.7, 6));
    await waitCommitted(fx, topics.fraudScores, (produced += settings.windowSize));
    expect(await versionEvents('1.0.0', seen)).toEqual([]);
    expect(await readFile(service.logFile, 'utf8')).toMatch(/"earlier drift events read back","events":[1-9]/);

    // Back to normal (re-armed, stored), restarted again, drifting again: reported again.
    await publish(fraudScores(settings.windowSize, '1.0.0', 3, 7));
    await waitCommitted(fx, topics.fraudScores, (produced += settings.windowSize));
    expect(await versionEvents('1.0.0', seen)).toEqual([]);
    const rearmed = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${dbSchema}".drift_references WHERE scope = $1 AND model_version = '1.0.0' AND rearmed_at > stored_at`, [fx.prefix]);
    expect(rearmed.rows[0]!.n).toBeGreaterThanOrEqual(1);
    await service.stop();
    service = await new ServiceProcess('model-drift', await freePort(), env, 'model-drift-again').start();
    seen = (await driftEvents(fx)).length;
    await publish(fraudScores(settings.windowSize, '1.0.0', 0.7, 8));
    await waitCommitted(fx, topics.fraudScores, (produced += settings.windowSize));
    expect((await versionEvents('1.0.0', seen)).map((e) => e.field)).toContain('score');
  });

  it('starts without a database (references in memory only) and refuses a bad setting, naming the variable', async () => {
    const env = { SPINE_TOPIC_PREFIX: fx.prefix, SPINE_TOPIC_PARTITIONS: '1', DATABASE_URL: '' };
    const memoryOnly = await new ServiceProcess('model-drift', await freePort(), env, 'model-drift-memory').start();
    try {
      expect((await fetch(`${memoryOnly.url}/health/ready`)).status).toBe(200);
      expect(await readFile(memoryOnly.logFile, 'utf8')).toContain('"references":"memory only (DATABASE_URL not set)"');
    } finally {
      await memoryOnly.stop();
    }
    const bad = new ServiceProcess('model-drift', await freePort(), { ...env, SPINE_DRIFT_PSI_BOUND: 'high' }, 'model-drift-bad');
    await expect(bad.start()).rejects.toThrow(/exited during start-up/);
    expect(await readFile(bad.logFile, 'utf8')).toContain('SPINE_DRIFT_PSI_BOUND must be a positive number (e.g. 0.2), got "high"');
  });
});
