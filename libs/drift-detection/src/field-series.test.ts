import { DriftTracker } from './drift-tracker.js';
import { FieldSeries } from './field-series.js';
import type { Observation } from './observation.js';

const settings = { referenceSize: 100, windowSize: 100, evaluateEvery: 20, bound: 0.2 };
/** 0..99 repeated: the "normal" distribution. */
const normal = (i: number) => i % 100;
const feed = (series: FieldSeries, count: number, value: (i: number) => Observation) =>
  Array.from({ length: count }, (_, i) => series.observe(value(i))).filter((e) => e !== undefined);

describe('FieldSeries', () => {
  it('takes the first values as the reference, evaluates once the window is full and then every evaluateEvery values', () => {
    const series = new FieldSeries('numeric', settings);
    expect(feed(series, 100, normal)).toHaveLength(0);
    expect(series.referenceCount).toBe(100);
    expect(feed(series, 99, normal)).toHaveLength(0);
    const [first] = feed(series, 1, () => 99);
    expect(first).toMatchObject({ psi: 0, referenceCount: 100, windowCount: 100, drifted: false });
    expect(feed(series, 19, normal)).toHaveLength(0);
    expect(feed(series, 1, normal)).toHaveLength(1);
    expect(feed(series, 100, normal)).toHaveLength(5);
  });

  it('reports a drift once while it persists and again only after PSI fell below bound / 2 (hysteresis)', () => {
    const series = new FieldSeries('numeric', settings);
    feed(series, 200, normal);
    const shifted = feed(series, 300, (i) => 500 + (i % 100));
    expect(shifted.filter((e) => e.drifted)).toHaveLength(1);
    expect(shifted.at(-1)!.psi).toBeGreaterThan(1);
    expect(series.isArmed).toBe(false);

    // Back to normal: PSI falls, the series re-arms below 0.1, and nothing is reported on the way.
    const recovered = feed(series, 200, normal);
    expect(recovered.some((e) => e.drifted)).toBe(false);
    expect(recovered.at(-1)!.psi).toBe(0);
    expect(series.isArmed).toBe(true);

    const again = feed(series, 100, (i) => 500 + (i % 100));
    expect(again.filter((e) => e.drifted)).toHaveLength(1);
  });

  it('does not re-arm while PSI stays between bound / 2 and the bound', () => {
    const series = new FieldSeries('categorical', { ...settings, evaluateEvery: 100 });
    const mix = (online: number) => (i: number) => (i % 100 < online ? 'ONLINE' : 'CARD_PRESENT');
    feed(series, 200, mix(30));
    expect(feed(series, 100, mix(100)).filter((e) => e.drifted)).toHaveLength(1);
    // 47 % online: PSI ≈ 0.12, between bound / 2 and the bound: still the same excursion, still disarmed.
    const middle = feed(series, 100, mix(47));
    expect(middle[0]!.psi).toBeGreaterThan(0.1);
    expect(middle[0]!.psi).toBeLessThan(0.2);
    expect(series.isArmed).toBe(false);
    expect(feed(series, 100, mix(100)).filter((e) => e.drifted)).toHaveLength(0);
  });
});

describe('DriftTracker', () => {
  it('keeps a reference per model version: each version is judged against its own first values', () => {
    const tracker = new DriftTracker(settings);
    const v1 = { topic: 'scores', field: 'score', version: '1.0.0' };
    const v2 = { topic: 'scores', field: 'score', version: '2.0.0' };
    const events = [];
    for (let i = 0; i < 400; i += 1) {
      events.push(tracker.observe(v1, 'numeric', normal(i)));
      events.push(tracker.observe(v2, 'numeric', 1000 + normal(i))); // v2 scores far higher, from its first value
    }
    expect(events.filter((e) => e?.drifted)).toHaveLength(0);
    expect(tracker.get(v1)!.lastPsi).toBe(0);
    expect(tracker.get(v2)!.lastPsi).toBe(0);
    expect(tracker.all().map((s) => s.id.version)).toEqual(['1.0.0', '2.0.0']);

    // Only v1 shifts: only v1 reports.
    const shifted = Array.from({ length: 100 }, (_, i) => [tracker.observe(v1, 'numeric', 500 + normal(i)), tracker.observe(v2, 'numeric', 1000 + normal(i))]).flat();
    expect(shifted.filter((e) => e?.drifted)).toHaveLength(1);
    expect(tracker.get(v1)!.isArmed).toBe(false);
    expect(tracker.get(v2)!.isArmed).toBe(true);
  });
});
