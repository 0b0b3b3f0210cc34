/** Runs one merged batch; answers one result per input, or an Error in the slot of an input that failed alone. */
export type BatchRun<I, O> = (inputs: I[], signal: AbortSignal) => Promise<ReadonlyArray<O | Error>>;

interface Call<O> {
  readonly outputs: O[];
  remaining: number;
  done: boolean;
  readonly signal: AbortSignal;
  readonly batches: Set<Batch>;
  readonly resolve: (outputs: O[]) => void;
  readonly reject: (error: unknown) => void;
  onAbort: () => void;
}

interface Item<I, O> {
  readonly input: I;
  readonly index: number;
  readonly call: Call<O>;
}

interface Batch {
  readonly controller: AbortController;
  /** Calls in the batch still waiting for it; when none is left, the request is aborted. */
  live: number;
}

/**
 * Merges concurrent predict() calls into backend requests: inputs queued while a batch is open leave together when
 * it holds `maxSize` or `maxWaitMs` after its first input. Each call gets its own outputs (or the error of one of its
 * inputs). A call whose signal aborts leaves the queue at once; a request whose callers all gave up is aborted.
 */
export class RequestBatcher<I, O> {
  private queue: Item<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly run: BatchRun<I, O>,
    private readonly maxSize: number,
    private readonly maxWaitMs: number,
  ) {}

  submit(inputs: readonly I[], signal: AbortSignal): Promise<O[]> {
    if (this.closed) return Promise.reject(new Error('the model adapter is closed'));
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<O[]>((resolve, reject) => {
      const call: Call<O> = { outputs: new Array<O>(inputs.length), remaining: inputs.length, done: false, signal, batches: new Set(), resolve, reject, onAbort: () => this.abort(call) };
      signal.addEventListener('abort', call.onAbort, { once: true });
      for (let i = 0; i < inputs.length; i += 1) this.queue.push({ input: inputs[i]!, index: i, call });
      while (this.queue.length >= this.maxSize) this.dispatch(this.queue.splice(0, this.maxSize));
      if (!this.queue.length) this.clearTimer();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  /** Fails every queued call; requests in flight finish. */
  close(): void {
    this.closed = true;
    this.clearTimer();
    const queued = this.queue;
    this.queue = [];
    for (const item of queued) this.fail(item.call, new Error('the model adapter was closed before this call was sent'));
  }

  private flush(): void {
    this.timer = undefined;
    while (this.queue.length) this.dispatch(this.queue.splice(0, this.maxSize));
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private dispatch(items: Item<I, O>[]): void {
    const calls = new Set(items.map((item) => item.call));
    const batch: Batch = { controller: new AbortController(), live: calls.size };
    for (const call of calls) call.batches.add(batch);
    const settle = (results: ReadonlyArray<O | Error> | undefined, error?: unknown) => {
      for (const call of calls) call.batches.delete(batch);
      if (results === undefined) {
        for (const call of calls) this.fail(call, error);
        return;
      }
      items.forEach((item, k) => {
        const result = results[k];
        if (result instanceof Error) this.fail(item.call, result);
        else this.fill(item, result as O);
      });
    };
    this.run(
      items.map((item) => item.input),
      batch.controller.signal,
    ).then(
      (results) =>
        results.length === items.length
          ? settle(results)
          : settle(undefined, new Error(`a batch of ${items.length} inputs got ${results.length} results; a backend must answer one per input, in order`)),
      (error: unknown) => settle(undefined, error),
    );
  }

  private fill(item: Item<I, O>, value: O): void {
    const call = item.call;
    if (call.done) return;
    call.outputs[item.index] = value;
    call.remaining -= 1;
    if (call.remaining === 0) {
      this.finish(call);
      call.resolve(call.outputs);
    }
  }

  private fail(call: Call<O>, error: unknown): void {
    if (call.done) return;
    this.finish(call);
    call.reject(error);
  }

  private abort(call: Call<O>): void {
    if (call.done) return;
    this.queue = this.queue.filter((item) => item.call !== call);
    if (!this.queue.length) this.clearTimer();
    this.finish(call);
    call.reject(call.signal.reason);
  }

  /** The call has its answer; a request still running that no other call waits for is aborted. */
  private finish(call: Call<O>): void {
    call.done = true;
    call.signal.removeEventListener('abort', call.onAbort);
    for (const batch of call.batches) {
      batch.live -= 1;
      if (batch.live === 0) batch.controller.abort(call.signal.aborted ? call.signal.reason : new Error('no caller waits for this request any more'));
    }
    call.batches.clear();
  }
}
