/**
 * Runs tasks with at most `concurrency` at once while keeping tasks of the same key strictly in
 * submission order: Kafka's per-key ordering, without handling a partition one record at a time.
 */
export class KeyOrderedPool {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly concurrency: number) {
    if (concurrency < 1) throw new RangeError('concurrency must be >= 1');
  }

  submit<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(
      () => this.withSlot(task),
      () => this.withSlot(task),
    );
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  private async withSlot<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
