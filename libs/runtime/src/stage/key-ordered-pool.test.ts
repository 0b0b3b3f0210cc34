import { setTimeout as sleep } from 'node:timers/promises';
import { KeyOrderedPool } from './key-ordered-pool.js';

describe('KeyOrderedPool', () => {
  it('keeps one key strictly in submission order while other keys run alongside', async () => {
    const pool = new KeyOrderedPool(8);
    const events: string[] = [];
    const task = (key: string, n: number, ms: number) =>
      pool.submit(key, async () => {
        events.push(`start ${key}${n}`);
        await sleep(ms);
        events.push(`end ${key}${n}`);
      });
    // a1 is slow; a2 must still wait for it, b1 must not.
    await Promise.all([task('a', 1, 40), task('a', 2, 1), task('b', 1, 1)]);
    expect(events.indexOf('end a1')).toBeLessThan(events.indexOf('start a2'));
    expect(events.indexOf('end b1')).toBeLessThan(events.indexOf('end a1'));
  });

  it('never runs more than `concurrency` tasks at once', async () => {
    const pool = new KeyOrderedPool(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        pool.submit(`k${i}`, async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(5);
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('runs the next task of a key after a failed one, and reports the failure to its caller', async () => {
    const pool = new KeyOrderedPool(2);
    const failed = pool.submit('k', async () => {
      throw new Error('boom');
    });
    const next = pool.submit('k', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});
