import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage } from 'kafkajs';
import { PartitionWorker, type PartitionWorkerHooks } from './partition-worker.js';

const message = (offset: number): KafkaMessage => ({ key: Buffer.from(`k${offset % 7}`), value: null, timestamp: '0', attributes: 0, offset: String(offset), headers: {} }) as KafkaMessage;

function hooks(handleMs: number): { hooks: PartitionWorkerHooks; commits: Array<{ offset: string; at: number }> } {
  const commits: Array<{ offset: string; at: number }> = [];
  return {
    commits,
    hooks: {
      handle: () => sleep(handleMs),
      commit: async (offset) => {
        await sleep(1); // a round trip
        commits.push({ offset, at: Date.now() });
      },
      pause: () => undefined,
      resume: () => undefined,
      rewind: () => undefined,
      onCommitError: () => undefined,
    },
  };
}

describe('PartitionWorker commits', () => {
  it('commits at most once per commitIntervalMs while records keep finishing, and everything once drained', async () => {
    const { hooks: h, commits } = hooks(2);
    const worker = new PartitionWorker('t', 0, h, { concurrency: 4, maxBacklog: 10_000, commitIntervalMs: 50 });
    const started = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      worker.enqueue(Array.from({ length: 20 }, (_, i) => message(batch * 20 + i)));
      await sleep(25);
    }
    await worker.idle();
    const elapsed = Date.now() - started;
    expect(commits.at(-1)!.offset).toBe('200'); // the next offset after the last record
    expect(commits.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
    for (let i = 1; i < commits.length - 1; i++) expect(commits[i]!.at - commits[i - 1]!.at).toBeGreaterThanOrEqual(45);
    // Without the interval, the same work commits far more often (one per round trip).
    const { hooks: eager, commits: eagerCommits } = hooks(2);
    const unthrottled = new PartitionWorker('t', 0, eager, { concurrency: 4, maxBacklog: 10_000, commitIntervalMs: 0 });
    for (let batch = 0; batch < 10; batch++) {
      unthrottled.enqueue(Array.from({ length: 20 }, (_, i) => message(batch * 20 + i)));
      await sleep(25);
    }
    await unthrottled.idle();
    expect(eagerCommits.length).toBeGreaterThan(commits.length * 2);
  });

  it('commits at once when closed or drained, not after the interval', async () => {
    const { hooks: h, commits } = hooks(0);
    const worker = new PartitionWorker('t', 0, h, { concurrency: 4, maxBacklog: 100, commitIntervalMs: 60_000 });
    worker.enqueue([message(0)]);
    await sleep(20);
    worker.enqueue([message(1), message(2)]); // finishes while the first commit's interval runs
    await sleep(20);
    expect(commits.map((c) => c.offset)).toEqual(['1']);
    const before = Date.now();
    worker.close();
    await worker.idle();
    expect(commits.map((c) => c.offset)).toEqual(['1', '3']);
    expect(Date.now() - before).toBeLessThan(1_000);
  });
});
