import type { CachedOutput, InferenceCache } from '@spine/inference-cache';

interface Waiting<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Calls of one kind that go together: while one query runs, the next callers queue for the following one. */
class Coalescer<K, R> {
  private queued = new Map<string, { key: K; waiting: Array<Waiting<R>> }>();

  private running = false;

  constructor(private readonly run: (keys: readonly K[]) => Promise<ReadonlyMap<string, R>>, private readonly idOf: (key: K) => string) {}

  request(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const id = this.idOf(key);
      const entry = this.queued.get(id);
      if (entry) {
        entry.key = key; // the same id: a look-up asks once; a write keeps the latest output
        entry.waiting.push({ resolve, reject });
      } else this.queued.set(id, { key, waiting: [{ resolve, reject }] });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queued.size) {
        const batch = this.queued;
        this.queued = new Map();
        try {
          const results = await this.run([...batch.values()].map((e) => e.key));
          for (const [id, { waiting }] of batch) for (const w of waiting) w.resolve(results.get(id) as R);
        } catch (error) {
          for (const { waiting } of batch.values()) for (const w of waiting) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/**
 * The inference cache as records use it, one input at a time, with the queries coalesced like the producer's
 * sends: while a look-up (or write) for a model version runs, the next records' ones queue and go together in the
 * next one. Records in flight at once (other keys of a partition, other partitions) then cost one round trip
 * to PostgreSQL between them rather than one each, and a record never waits for a batch to fill.
 */
export class CoalescedCache {
  private readonly lookups = new Map<string, Coalescer<string, CachedOutput<unknown> | undefined>>();
  private readonly writes = new Map<string, Coalescer<{ hash: string; output: unknown }, undefined>>();

  constructor(private readonly cache: InferenceCache) {}

  /** The version's stored output for an input hash, if younger than `maxAgeMs`. */
  get<O>(model: string, version: string, hash: string, maxAgeMs: number): Promise<CachedOutput<O> | undefined> {
    const slot = `${model}\u0000${version}\u0000${maxAgeMs}`;
    let coalescer = this.lookups.get(slot);
    if (!coalescer) {
      coalescer = new Coalescer((hashes) => this.cache.getMany(model, version, hashes, { maxAgeMs }), (hash) => hash);
      this.lookups.set(slot, coalescer);
    }
    return coalescer.request(hash) as Promise<CachedOutput<O> | undefined>;
  }

  /** Stores the version's output for an input hash (the last write of a hash in one batch wins). */
  async put<O>(model: string, version: string, hash: string, output: O): Promise<void> {
    const slot = `${model}\u0000${version}`;
    let coalescer = this.writes.get(slot);
    if (!coalescer) {
      coalescer = new Coalescer(async (entries) => {
        await this.cache.putMany(model, version, entries);
        return new Map();
      }, (entry) => entry.hash);
      this.writes.set(slot, coalescer);
    }
    await coalescer.request({ hash, output });
  }
}
