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

/** 200 records in 10 batches 25 ms apart through a worker with this interval; resolves with its commits once drained. */
async function drain(commitIntervalMs: number): Promise<Array<{ offset: string; at: number }>> {
  const { hooks: h, commits } = hooks(2);
  const worker = new PartitionWorker('t', 0, h, { concurrency: 4, maxBacklog: 10_000, commitIntervalMs });
  for (let batch = 0; batch < 10; batch++) {
    worker.enqueue(Array.from({ length: 20 }, (_, i) => message(batch * 20 + i)));
    await sleep(25);
  }
  await worker.idle();
  return commits;
}

describe('PartitionWorker commits', () => {
  it('commits at most once per commitIntervalMs while records keep finishing, and everything once drained', async () => {
    const commits = await drain(50);
    expect(commits.at(-1)!.offset).toBe('200'); // the next offset after the last record
    // Timers never fire early: consecutive commits are an interval apart (the last may be a drain's, at once).
    for (let i = 1; i < commits.length - 1; i++) expect(commits[i]!.at - commits[i - 1]!.at).toBeGreaterThanOrEqual(45);
    // Without the interval, the same work commits far more often (one per round trip).
    const eager = await drain(0);
    expect(eager.at(-1)!.offset).toBe('200');
    expect(eager.length).toBeGreaterThan(commits.length * 2);
  });

  it('commits at once when closed or drained, not after the interval', async () => {
    const { hooks: h, commits } = hooks(0);
    const worker = new PartitionWorker('t', 0, h, { concurrency: 4, maxBacklog: 100, commitIntervalMs: 60_000 });
    worker.enqueue([message(0)]);
    await sleep(20);
    worker.enqueue([message(1), message(2)]); // finishes while the first commit's interval runs
    await sleep(20);
    expect(commits.map((c) => c.offset)).toEqual(['1']);
    worker.close();
    // The 60 s interval is not waited out: draining ends as soon as the last commit is sent.
    expect(await Promise.race([worker.idle().then(() => 'drained'), sleep(10_000, undefined, { ref: false }).then(() => 'waiting out the interval')])).toBe('drained');
    expect(commits.map((c) => c.offset)).toEqual(['1', '3']);
  });
});
