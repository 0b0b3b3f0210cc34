import { BUCKETS, bucketOf, route } from './route.js';
import { defaultRouting } from './defaults.js';
import { applyChange } from './changes.js';

const known = new Set(['1.0.0', '2.0.0', '3.0.0']);
const now = new Date('2026-12-01T10:00:00Z');
const entities = Array.from({ length: 1_000 }, (_, i) => `card-${i.toString(36)}-${(i * 7919) % 1013}`);

describe('route', () => {
  it('splits 50/50 A/B over 1,000 entities within 40–60 %, and each entity always gets the same version', () => {
    const routing = applyChange(defaultRouting('1.0.0'), { action: 'SPLIT', splits: [{ version: '2.0.0', percent: 50 }] }, known, now);
    const first = entities.map((key) => route(routing, bucketOf('fraud-scoring', key)));
    const share = first.filter((d) => d.version === '2.0.0').length / entities.length;
    expect(share).toBeGreaterThanOrEqual(0.4);
    expect(share).toBeLessThanOrEqual(0.6);
    expect(first.filter((d) => d.version === '2.0.0').every((d) => d.routing === 'AB')).toBe(true);
    // Sticky: routing the same keys again (in another order, as another instance would) gives the same versions.
    const again = new Map([...entities].reverse().map((key) => [key, route(routing, bucketOf('fraud-scoring', key)).version]));
    expect(entities.map((key) => again.get(key))).toEqual(first.map((d) => d.version));
  });

  it('keeps a canary key on the canary as the ramp grows (5 % keys are inside the 25 %)', () => {
    let routing = applyChange(defaultRouting('1.0.0'), { action: 'RAMP', version: '2.0.0', steps: [5, 25, 100], stepIntervalMs: 1_000 }, known, now);
    const at5 = entities.filter((key) => route(routing, bucketOf('s', key)).version === '2.0.0');
    routing = applyChange(routing, { action: 'ADVANCE' }, known, now);
    expect(routing.canary?.percent).toBe(25);
    const at25 = new Set(entities.filter((key) => route(routing, bucketOf('s', key)).routing === 'CANARY'));
    expect(at5.length).toBeGreaterThan(20);
    expect(at25.size).toBeGreaterThan(at5.length * 3);
    expect(at5.every((key) => at25.has(key))).toBe(true);
  });

  it('spreads stages independently and sends keyless records to the champion', () => {
    const a = entities.map((k) => bucketOf('a', k) < BUCKETS / 2);
    const b = entities.map((k) => bucketOf('b', k) < BUCKETS / 2);
    const same = a.filter((x, i) => x === b[i]).length / entities.length;
    expect(same).toBeGreaterThan(0.4);
    expect(same).toBeLessThan(0.6);
    const routing = applyChange(defaultRouting('1.0.0'), { action: 'SPLIT', splits: [{ version: '2.0.0', percent: 100 }] }, known, now);
    expect(route(routing, null)).toEqual({ version: '1.0.0', routing: 'CHAMPION' });
    expect(route(routing, 0).version).toBe('2.0.0');
  });
});
