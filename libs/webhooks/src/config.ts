import { parseDuration, parseSchedule } from './duration.js';

/**
 * Retry delays after the first attempt (so 1 + length attempts in all), each jittered by ±20 %: roughly
 * exponential, ~25 hours in total before a delivery is dead-lettered.
 */
export const DEFAULT_RETRY_SCHEDULE = '5s,30s,2m,10m,30m,1h,2h,4h,8h,8h';

/** How the webhooks service delivers; every value from the environment (names in the README section). */
export interface WebhooksConfig {
  /** Delay before each retry (ms); after the last one fails the delivery is dead-lettered. */
  readonly retrySchedule: readonly number[];
  /** ±fraction of each delay added at random, so a recovering receiver is not hit by every retry at once. */
  readonly jitter: number;
  /** Time one HTTP attempt may take, connection to last response byte. */
  readonly requestTimeoutMs: number;
  /** Deliveries in flight at once per subscription (per instance). */
  readonly concurrencyPerSubscription: number;
  /** How often the dispatcher looks for due deliveries (retries, other instances' work); new ones go at once. */
  readonly pollMs: number;
  /** Delivered rows are deleted after this long (the idempotency window of re-read results). */
  readonly retentionMs: number;
  /** `SPINE_WEBHOOKS_ALLOW_PRIVATE`: false, true (any private address), or the CIDR ranges that are allowed. */
  readonly allowPrivate: boolean | readonly string[];
}

export function webhooksConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const get = (name: string) => env[name]?.trim() || undefined;
  const positive = (name: string, fallback: number) => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return value;
  };
  const jitter = Number(get('SPINE_WEBHOOKS_RETRY_JITTER') ?? 0.2);
  if (!(jitter >= 0 && jitter < 1)) throw new Error(`SPINE_WEBHOOKS_RETRY_JITTER must be in [0, 1), got "${get('SPINE_WEBHOOKS_RETRY_JITTER')}"`);
  return {
    retrySchedule: parseSchedule(get('SPINE_WEBHOOKS_RETRY_SCHEDULE') ?? DEFAULT_RETRY_SCHEDULE, 'SPINE_WEBHOOKS_RETRY_SCHEDULE'),
    jitter,
    requestTimeoutMs: parseDuration(get('SPINE_WEBHOOKS_TIMEOUT') ?? '10s', 'SPINE_WEBHOOKS_TIMEOUT'),
    concurrencyPerSubscription: positive('SPINE_WEBHOOKS_CONCURRENCY', 8),
    pollMs: parseDuration(get('SPINE_WEBHOOKS_POLL') ?? '1s', 'SPINE_WEBHOOKS_POLL'),
    retentionMs: parseDuration(get('SPINE_WEBHOOKS_RETENTION') ?? '7d', 'SPINE_WEBHOOKS_RETENTION'),
    allowPrivate: parseAllowPrivate(get('SPINE_WEBHOOKS_ALLOW_PRIVATE')),
  };
}

function parseAllowPrivate(raw: string | undefined): boolean | string[] {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The delay before retry number `retry` (1-based), jittered; undefined when the schedule is used up. */
export function retryDelay(config: Pick<WebhooksConfig, 'retrySchedule' | 'jitter'>, retry: number, random: () => number = Math.random): number | undefined {
  const base = config.retrySchedule[retry - 1];
  if (base === undefined) return undefined;
  return Math.max(0, Math.round(base * (1 + config.jitter * (2 * random() - 1))));
}
