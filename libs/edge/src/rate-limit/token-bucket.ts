import { numberFromEnv } from '../env.js';

export type TakeResult = { readonly allowed: true; readonly remaining: number } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface TokenBucketOptions {
  /** Tokens added per second (sustained requests per second per key). */
  readonly ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. */
  readonly burst: number;
  /** Idle buckets are dropped beyond this many keys (an idle bucket is full, so dropping it changes nothing). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/**
 * Per-key token buckets, in memory: each key's bucket holds up to `burst` tokens, refills continuously at
 * `ratePerSecond`, and a request takes one. Per process: N instances behind a load balancer admit up to N
 * times the rate for a key. Written here (about 40 lines) because no rate-limit package is installed and the
 * usual Nest one (@nestjs/throttler) is a fixed window, not a bucket; the logic is unit-tested with a clock.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(readonly options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new RangeError(`a token bucket needs ratePerSecond > 0 and burst >= 1; got ${JSON.stringify(options)}`);
    this.now = options.now ?? (() => performance.now());
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /**
   * SPINE_RATE_LIMIT_PER_SECOND (default 100; 0 turns limiting off) and SPINE_RATE_LIMIT_BURST (default twice
   * the rate); undefined when off.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): TokenBucketLimiter | undefined {
    const ratePerSecond = numberFromEnv(env, 'SPINE_RATE_LIMIT_PER_SECOND', 100);
    if (ratePerSecond === 0) return undefined;
    const burst = numberFromEnv(env, 'SPINE_RATE_LIMIT_BURST', Math.max(1, Math.ceil(2 * ratePerSecond)));
    return new TokenBucketLimiter({ ratePerSecond, burst: Math.max(1, burst) });
  }

  take(key: string): TakeResult {
    const now = this.now();
    const { ratePerSecond, burst } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxKeys) this.dropIdle(now);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)) };
  }

  get size(): number {
    return this.buckets.size;
  }

  private dropIdle(now: number): void {
    const refillMs = (this.options.burst / this.options.ratePerSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= refillMs) this.buckets.delete(key);
    // Still full of active keys: drop the oldest rather than grow without bound.
    while (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
