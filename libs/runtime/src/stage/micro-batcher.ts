import type { BatchOptions } from '@spine/topology';
import { classifyFailure } from './failures.js';

interface Waiting<I, O> {
  readonly item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/** Per item of a batch: its result, or the Error that item failed with (the others still succeed). */
export type BatchResults<O> = ReadonlyArray<O | Error>;

/**
 * Groups concurrent calls into one: items submitted while a batch is open leave together when it holds
 * `maxSize` or `maxWaitMs` after its first item. Each caller gets its own item's result or error, so retries
 * and dead letters stay per record. A batch that fails as a whole (not an outage) is run again item by item,
 * so one poison record fails alone instead of taking its batch-mates to the dead-letter topic.
 */
export class MicroBatcher<I, O> {
  private open: Waiting<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: (items: I[]) => Promise<BatchResults<O>>,
    private readonly limits: BatchOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.open.push({ item, resolve, reject });
      if (this.open.length >= this.limits.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.limits.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.open.splice(0, this.limits.maxSize);
    if (this.open.length) this.timer = setTimeout(() => this.flush(), this.limits.maxWaitMs);
    if (batch.length) void this.settle(batch);
  }

  private async settle(batch: Waiting<I, O>[]): Promise<void> {
    let results: BatchResults<O>;
    try {
      results = await this.run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`a batch handler returned ${results.length} results for ${batch.length} records; it must return one per record, in order`);
    } catch (error) {
      if (batch.length === 1 || classifyFailure(error) === 'outage') {
        for (const w of batch) w.reject(error);
        return;
      }
      await Promise.all(batch.map((w) => this.settle([w])));
      return;
    }
    batch.forEach((w, i) => {
      const result = results[i];
      if (result instanceof Error) w.reject(result);
      else w.resolve(result as O);
    });
  }
}
