import { ModelControlError } from '../errors.js';
import { applyChange } from './changes.js';
import { defaultRouting } from './defaults.js';

const known = new Set(['1.0.0', '2.0.0', '3.0.0']);
const now = new Date('2026-12-01T10:00:00Z');
const start = defaultRouting('1.0.0');

describe('applyChange', () => {
  it('promotes and rolls back to the earlier champion, one revision per change', () => {
    const promoted = applyChange(start, { action: 'PROMOTE', version: '2.0.0' }, known, now);
    expect(promoted).toMatchObject({ champion: '2.0.0', previousChampion: '1.0.0', revision: 1 });
    const back = applyChange(promoted, { action: 'ROLLBACK' }, known, now);
    expect(back).toMatchObject({ champion: '1.0.0', previousChampion: null, revision: 2 });
  });

  it('rolls back a canary before anything else, and a named version wherever it serves', () => {
    let r = applyChange(start, { action: 'SPLIT', splits: [{ version: '3.0.0', percent: 20 }] }, known, now);
    r = applyChange(r, { action: 'RAMP', version: '2.0.0', steps: [5, 50], stepIntervalMs: 5_000 }, known, now);
    r = applyChange(r, { action: 'SHADOW', versions: ['3.0.0'] }, known, now);
    const noCanary = applyChange(r, { action: 'ROLLBACK' }, known, now);
    expect(noCanary.canary).toBeNull();
    expect(noCanary.splits).toEqual([{ version: '3.0.0', percent: 20 }]);
    const no3 = applyChange(r, { action: 'ROLLBACK', version: '3.0.0' }, known, now);
    expect(no3.splits).toEqual([]);
    expect(no3.shadows).toEqual([]);
    expect(no3.canary?.version).toBe('2.0.0');
  });

  it('advances a canary step by step and makes it champion past the last step', () => {
    let r = applyChange(start, { action: 'RAMP', version: '2.0.0', steps: [5, 25, 50, 100], stepIntervalMs: 1_000 }, known, now);
    const seen = [r.canary!.percent];
    while (r.canary) {
      r = applyChange(r, { action: 'ADVANCE' }, known, new Date(now.getTime() + seen.length * 1_000));
      if (r.canary) seen.push(r.canary.percent);
    }
    expect(seen).toEqual([5, 25, 50, 100]);
    expect(r).toMatchObject({ champion: '2.0.0', previousChampion: '1.0.0', canary: null });
  });

  it.each([
    [{ action: 'PROMOTE', version: '9.9.9' }, /not registered/],
    [{ action: 'PROMOTE', version: '1.0.0' }, /already the champion/],
    [{ action: 'SPLIT', splits: [{ version: '2.0.0', percent: 60 }, { version: '3.0.0', percent: 50 }] }, /at most 100/],
    [{ action: 'SPLIT', splits: [{ version: '2.0.0', percent: 0 }] }, /\(0, 100\]/],
    [{ action: 'RAMP', version: '2.0.0', steps: [50, 25], stepIntervalMs: 1_000 }, /must rise/],
    [{ action: 'RAMP', version: '2.0.0', steps: [5], stepIntervalMs: 10 }, /at least 1000 ms/],
    [{ action: 'ROLLBACK' }, /nothing to roll back/],
    [{ action: 'ROLLBACK', version: '3.0.0' }, /not serving/],
    [{ action: 'SHADOW', versions: ['1.0.0'] }, /champion/],
    [{ action: 'CASCADE', cascade: { version: '2.0.0', belowConfidence: 1.5 } }, /belowConfidence/],
    [{ action: 'GUARD', guard: { maxErrorRate: 2 } }, /share/],
    [{ action: 'ADVANCE' }, /no canary/],
  ] as const)('refuses %j with a reason', (change, reason) => {
    expect(() => applyChange(start, change as never, known, now)).toThrow(ModelControlError);
    expect(() => applyChange(start, change as never, known, now)).toThrow(reason);
  });
});
