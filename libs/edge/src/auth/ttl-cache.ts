/**
 * A small bounded TTL cache of promises: concurrent lookups of one key share one load, failed loads are not
 * kept, and past `maxEntries` the oldest entries go first (Map keeps insertion order).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    this.entries.delete(key);
    const value = load();
    if (this.ttlMs > 0) {
      this.entries.set(key, { value, expires: this.now() + this.ttlMs });
      value.catch(() => {
        if (this.entries.get(key)?.value === value) this.entries.delete(key);
      });
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
