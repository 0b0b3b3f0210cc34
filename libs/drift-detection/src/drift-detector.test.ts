import { Registry } from 'prom-client';
import { loadSchemaCatalog, type SchemaCatalog } from '@spine/schemas';
import { topic } from '@spine/topology';
import { DriftDetector, driftEventKey, UnwatchedTopicError } from './drift-detector.js';
import { DriftGauges } from './drift-gauges.js';
import { valueAt } from './value-at.js';

const scores = topic({ name: 'test.scores.v1', description: 'scores', key: 'common/entity-key', value: 'fraud-score', retentionDays: 1 });
const deployment = { prefix: 'p1-', partitions: 1, replicationFactor: 1 };
const settings = { referenceSize: 50, windowSize: 50, evaluateEvery: 10, bound: 0.2 };
const score = (value: number, decision: string, version: string) => ({ score: value, decision, amount: '12.50', model: { version }, reasons: [] });

describe('valueAt', () => {
  it('reads dot paths and gives undefined for any missing step', () => {
    expect(valueAt({ a: { b: { c: 3 } } }, 'a.b.c')).toBe(3);
    expect(valueAt({ a: { b: null } }, 'a.b')).toBeNull();
    expect(valueAt({ a: { b: null } }, 'a.b.c')).toBeUndefined();
    expect(valueAt({ a: 1 }, 'a.b')).toBeUndefined();
    expect(valueAt(undefined, 'a')).toBeUndefined();
  });
});

describe('DriftDetector', () => {
  let catalog: SchemaCatalog;
  beforeAll(async () => {
    catalog = await loadSchemaCatalog();
  });

  it('skips, with a reason naming the field, monitor fields the schema does not have or that cannot be binned', () => {
    const problems: string[] = [];
    const detector = new DriftDetector([{ topic: scores, fields: ['score', 'decision', 'amount', 'scoer', 'reasons', 'model', 'scoredAt', 'model.arm'] }], { settings, deployment, catalog, onProblem: (p) => problems.push(p) });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/"scoer" does not exist \(spine\.ai\.FraudScore has metadata, transactionId/);
    expect(problems.join('\n')).toMatch(/"reasons" is array; only int, long/);
    expect(problems.join('\n')).toMatch(/"model" is record/);
    expect(problems.join('\n')).toMatch(/"scoredAt" is logical:timestamp-millis/);
    expect(detector.watchedTopics).toEqual(['p1-test.scores.v1']);
    expect(() => detector.observe({ topic: 'test.scores.v1', value: {} })).toThrow(UnwatchedTopicError);
  });

  it('emits one event per excursion, keyed by the declared topic and field, with the version, and sets the gauges', async () => {
    const registry = new Registry();
    const detector = new DriftDetector([{ topic: scores, fields: ['score', 'decision', 'amount'], versionField: 'model.version' }], { settings, deployment, catalog, gauges: new DriftGauges(registry), now: () => 1_000 });
    const feed = (count: number, value: (i: number) => ReturnType<typeof score>) =>
      Array.from({ length: count }, (_, i) => detector.observe({ topic: 'p1-test.scores.v1', value: value(i), timestamp: String(500 + i) })).flat();
    expect(feed(100, (i) => score((i % 10) / 10, i % 5 === 0 ? 'REVIEW' : 'APPROVE', '1.0.0'))).toEqual([]);
    const events = feed(100, (i) => score(0.9 + (i % 10) / 100, i % 5 === 0 ? 'REVIEW' : 'APPROVE', '1.0.0'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ topic: 'test.scores.v1', field: 'score', modelVersion: '1.0.0', statistic: 'psi', bound: 0.2, referenceCount: 50, windowCount: 50, detectedAt: new Date(1_000) });
    expect(events[0]!.value).toBeGreaterThan(0.2);
    expect(events[0]!.windowEndedAt.getTime()).toBeGreaterThanOrEqual(500);
    expect(driftEventKey(events[0]!)).toBe('test.scores.v1/score');

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/spine_drift_events_total\{topic="test.scores.v1",field="score"\} 1/);
    expect(metrics).toMatch(/spine_drift_reference_size\{topic="test.scores.v1",field="amount",version="1.0.0"\} 50/);
    expect(metrics).toMatch(/spine_drift_psi\{topic="test.scores.v1",field="decision",version="1.0.0"\} 0\n/);
    // A new version starts its own reference.
    feed(5, (i) => score(i / 10, 'APPROVE', '2.0.0'));
    expect(await registry.metrics()).toMatch(/spine_drift_reference_size\{topic="test.scores.v1",field="score",version="2.0.0"\} 5/);
  });

  it('types fields by their first value without a catalog, and stops watching a field whose value cannot be binned', () => {
    const problems: string[] = [];
    const detector = new DriftDetector([{ topic: scores, fields: ['a', 'b'] }], { settings, deployment, onProblem: (p) => problems.push(p) });
    for (let i = 0; i < 60; i += 1) detector.observe({ topic: 'p1-test.scores.v1', value: { a: BigInt(i), b: i < 3 ? true : Buffer.from('x') } });
    expect(problems).toEqual([expect.stringMatching(/field "b": cannot watch a value of type bytes/)]);
    expect(detector.tracker.get({ topic: 'test.scores.v1', field: 'a', version: null })!.referenceCount).toBe(50);
    expect(detector.tracker.get({ topic: 'test.scores.v1', field: 'b', version: null })!.referenceCount).toBe(3);
  });
});
