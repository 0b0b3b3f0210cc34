import { TokenBucketLimiter } from './token-bucket.js';

describe('TokenBucketLimiter', () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('admits a burst, then the refill rate, and says when to retry', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 2, burst: 3, now: c.now });
    expect([1, 2, 3].map(() => limiter.take('k').allowed)).toEqual([true, true, true]);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    c.advance(499);
    expect(limiter.take('k').allowed).toBe(false);
    c.advance(1);
    expect(limiter.take('k')).toEqual({ allowed: true, remaining: 0 });
    c.advance(10_000); // refills up to the burst, not beyond
    expect([1, 2, 3, 4].map(() => limiter.take('k').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1, now: c.now });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('rounds Retry-After up to whole seconds at slow rates', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 0.1, burst: 1, now: c.now });
    limiter.take('k');
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    c.advance(2_500);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 8 });
  });

  it('drops idle buckets (full anyway) to stay within maxKeys', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 10, burst: 10, maxKeys: 100, now: c.now });
    for (let i = 0; i < 100; i++) limiter.take(`k${i}`);
    c.advance(1_000);
    limiter.take('new');
    expect(limiter.size).toBe(1);
    for (let i = 0; i < 300; i++) limiter.take(`busy${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });

  it('reads its settings from the environment; 0 turns it off; nonsense fails naming the variable', () => {
    expect(TokenBucketLimiter.fromEnv({})!.options).toEqual({ ratePerSecond: 100, burst: 200 });
    expect(TokenBucketLimiter.fromEnv({ SPINE_RATE_LIMIT_PER_SECOND: '5', SPINE_RATE_LIMIT_BURST: '7' })!.options).toEqual({ ratePerSecond: 5, burst: 7 });
    expect(TokenBucketLimiter.fromEnv({ SPINE_RATE_LIMIT_PER_SECOND: '0' })).toBeUndefined();
    expect(() => TokenBucketLimiter.fromEnv({ SPINE_RATE_LIMIT_PER_SECOND: 'fast' })).toThrow(/SPINE_RATE_LIMIT_PER_SECOND/);
  });
});
