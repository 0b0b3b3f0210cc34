import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyUnavailableError, PermanentError } from './failures.js';
import { MicroBatcher } from './micro-batcher.js';

describe('MicroBatcher', () => {
  it('sends concurrent submissions together, at most maxSize at a time, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher(async (items: number[]) => {
      batches.push(items);
      return items.map((n) => n * 10);
    }, { maxSize: 4, maxWaitMs: 20 });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([[1, 2, 3, 4], [5, 6]]);
  });

  it('sends a lone item after maxWaitMs, not later', async () => {
    const batcher = new MicroBatcher(async (items: string[]) => items, { maxSize: 100, maxWaitMs: 15 });
    const started = Date.now();
    await expect(batcher.submit('alone')).resolves.toBe('alone');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10);
  });

  it('fails only the items whose slot holds an Error', async () => {
    const batcher = new MicroBatcher(async (items: number[]) => items.map((n) => (n === 2 ? new PermanentError('two is bad') : n)), { maxSize: 3, maxWaitMs: 5 });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('runs a batch that fails as a whole again item by item, so a poison item fails alone', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher(async (items: number[]) => {
      calls.push(items);
      if (items.includes(13)) throw new PermanentError('13 breaks the whole statement');
      return items;
    }, { maxSize: 3, maxWaitMs: 5 });
    const settled = await Promise.allSettled([12, 13, 14].map((n) => batcher.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([[12, 13, 14], [12], [13], [14]]);
  });

  it('does not split a batch on an outage: every item fails with it, to be redelivered', async () => {
    let calls = 0;
    const batcher = new MicroBatcher(async (items: number[]) => {
      calls++;
      await sleep(1);
      if (items.length) throw new DependencyUnavailableError('database down');
      return items;
    }, { maxSize: 2, maxWaitMs: 5 });
    const settled = await Promise.allSettled([1, 2].map((n) => batcher.submit(n)));
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
  });

  it('refuses a handler that returns the wrong number of results, naming the contract', async () => {
    const batcher = new MicroBatcher(async () => [1], { maxSize: 1, maxWaitMs: 1 });
    await expect(batcher.submit(1).then(() => batcher.submit(2))).resolves.toBe(1);
    const wrong = new MicroBatcher(async (items: number[]) => [...items, 99], { maxSize: 1, maxWaitMs: 1 });
    await expect(wrong.submit(1)).rejects.toThrow(/one per record, in order/);
  });
});
