import { DEFAULT_RETRY_SCHEDULE, retryDelay, webhooksConfigFromEnv } from './config.js';
import { parseSchedule } from './duration.js';

describe('webhooks configuration', () => {
  it('retries for hours by default, roughly exponentially, then dead-letters', () => {
    const config = webhooksConfigFromEnv({});
    const total = config.retrySchedule.reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).toBeGreaterThan(20); // about 25 h
    for (let i = 1; i < config.retrySchedule.length - 1; i++) expect(config.retrySchedule[i]!).toBeGreaterThanOrEqual(config.retrySchedule[i - 1]!);
    expect(retryDelay(config, config.retrySchedule.length + 1)).toBeUndefined();
    expect(parseSchedule(DEFAULT_RETRY_SCHEDULE, 'x')).toEqual(config.retrySchedule);
  });

  it('jitters each delay within ±jitter', () => {
    const config = { retrySchedule: [1_000, 10_000], jitter: 0.2 };
    expect(retryDelay(config, 1, () => 0)).toBe(800);
    expect(retryDelay(config, 1, () => 0.999999)).toBe(1_200);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelay(config, 2)));
    expect(spread.size).toBeGreaterThan(10);
    for (const d of spread) expect(d).toBeGreaterThanOrEqual(8_000);
  });

  it('reads a short schedule and limits from the environment, naming a bad value', () => {
    const config = webhooksConfigFromEnv({ SPINE_WEBHOOKS_RETRY_SCHEDULE: '200ms, 1s,1.5s', SPINE_WEBHOOKS_TIMEOUT: '2s', SPINE_WEBHOOKS_CONCURRENCY: '3', SPINE_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.1/32' });
    expect(config).toMatchObject({ retrySchedule: [200, 1_000, 1_500], requestTimeoutMs: 2_000, concurrencyPerSubscription: 3, allowPrivate: ['127.0.0.1/32'] });
    expect(webhooksConfigFromEnv({ SPINE_WEBHOOKS_ALLOW_PRIVATE: 'true' }).allowPrivate).toBe(true);
    expect(() => webhooksConfigFromEnv({ SPINE_WEBHOOKS_RETRY_SCHEDULE: '5 parsecs' })).toThrow(/SPINE_WEBHOOKS_RETRY_SCHEDULE: "5 parsecs" is not a duration/);
    expect(() => webhooksConfigFromEnv({ SPINE_WEBHOOKS_CONCURRENCY: '0' })).toThrow(/SPINE_WEBHOOKS_CONCURRENCY must be a positive integer/);
  });
});
