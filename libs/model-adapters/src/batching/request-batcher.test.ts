import { RequestBatcher } from './request-batcher.js';

const signal = () => new AbortController().signal;

/** A backend that records each batch and answers when told to. */
function recordingRun() {
  const batches: Array<{ inputs: number[]; signal: AbortSignal; answer: (results?: Array<number | Error>) => void; fail: (e: Error) => void }> = [];
  const run = (inputs: number[], s: AbortSignal) =>
    new Promise<Array<number | Error>>((resolve, reject) => {
      batches.push({ inputs, signal: s, answer: (results) => resolve(results ?? inputs.map((x) => x * 10)), fail: reject });
    });
  return { run, batches };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('RequestBatcher', () => {
  it('merges concurrent calls into one request and gives each call its own outputs', async () => {
    const { run, batches } = recordingRun();
    const batcher = new RequestBatcher(run, 64, 5);
    const calls = [batcher.submit([1, 2], signal()), batcher.submit([3], signal()), batcher.submit([4, 5, 6], signal())];
    await new Promise((r) => setTimeout(r, 10));
    expect(batches.map((b) => b.inputs)).toEqual([[1, 2, 3, 4, 5, 6]]);
    batches[0]!.answer();
    await expect(Promise.all(calls)).resolves.toEqual([[10, 20], [30], [40, 50, 60]]);
  });

  it('sends a full batch at once, and the rest after maxWaitMs', async () => {
    const { run, batches } = recordingRun();
    const batcher = new RequestBatcher(run, 3, 50);
    const a = batcher.submit([1, 2], signal());
    const b = batcher.submit([3, 4], signal());
    expect(batches.map((x) => x.inputs)).toEqual([[1, 2, 3]]); // no waiting for a full batch
    await new Promise((r) => setTimeout(r, 80));
    expect(batches.map((x) => x.inputs)).toEqual([[1, 2, 3], [4]]);
    batches.forEach((x) => x.answer());
    await expect(Promise.all([a, b])).resolves.toEqual([[10, 20], [30, 40]]);
  });

  it('fails only the call whose input failed', async () => {
    const { run, batches } = recordingRun();
    const batcher = new RequestBatcher(run, 2, 1);
    const a = batcher.submit([1], signal());
    const b = batcher.submit([2], signal());
    batches[0]!.answer([10, new Error('poison')]);
    await expect(a).resolves.toEqual([10]);
    await expect(b).rejects.toThrow('poison');
  });

  it('fails every call of a failed request, and refuses a wrong number of results', async () => {
    const { run, batches } = recordingRun();
    const batcher = new RequestBatcher(run, 2, 1);
    const a = batcher.submit([1], signal());
    const b = batcher.submit([2], signal());
    batches[0]!.fail(new Error('down'));
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    const c = batcher.submit([3, 4], signal());
    batches[1]!.answer([1]);
    await expect(c).rejects.toThrow('a batch of 2 inputs got 1 results');
  });

  it('drops an aborted call from the queue; its batch-mates are still sent and answered', async () => {
    const { run, batches } = recordingRun();
    const batcher = new RequestBatcher(run, 10, 20);
    const gone = new AbortController();
    const a = batcher.submit([1], gone.signal);
    const b = batcher.submit([2], signal());
    gone.abort(new Error('deadline'));
    await expect(a).rejects.toThrow('deadline');
    await new Promise((r) => setTimeout(r, 40));
    expect(batches.map((x) => x.inputs)).toEqual([[2]]);
    batches[0]!.answer();
    await expect(b).resolves.toEqual([20]);
  });

  it('aborts a request in flight once none of its callers waits for it', async () => {
    const { run, batches } = recordingRun();
    const batcher = new RequestBatcher(run, 2, 1);
    const c1 = new AbortController();
    const c2 = new AbortController();
    const a = batcher.submit([1], c1.signal).catch((e: Error) => e.message);
    const b = batcher.submit([2], c2.signal).catch((e: Error) => e.message);
    c1.abort(new Error('gone 1'));
    await tick();
    expect(batches[0]!.signal.aborted).toBe(false);
    c2.abort(new Error('gone 2'));
    expect(batches[0]!.signal.aborted).toBe(true);
    await expect(Promise.all([a, b])).resolves.toEqual(['gone 1', 'gone 2']);
  });

  it('fails queued calls on close and refuses new ones', async () => {
    const { run } = recordingRun();
    const batcher = new RequestBatcher(run, 10, 1_000);
    const a = batcher.submit([1], signal());
    batcher.close();
    await expect(a).rejects.toThrow('closed before this call was sent');
    await expect(batcher.submit([2], signal())).rejects.toThrow('closed');
  });
});
