import { hash } from 'node:crypto';
import type { ModelRouting, StageRouting } from '@spine/schemas';

/** Buckets of the key space: a share of keys is a range of buckets, so 0.01 % steps are expressible. */
export const BUCKETS = 10_000;

/**
 * The key's bucket for a stage, 0..BUCKETS-1: the first 32 bits of SHA-256(`stage \0 key`). The same entity always
 * lands in the same bucket, so its records always see the same A/B arm, on every instance; the stage salt keeps two
 * stages' splits independent. (About a microsecond; FNV-style hashes correlated visibly across salts.)
 */
export function bucketOf(stage: string, key: string): number {
  return hash('sha256', `${stage}\0${key}`, 'buffer').readUInt32BE(0) % BUCKETS;
}

export interface RouteDecision {
  /** The version that should answer. */
  readonly version: string;
  readonly routing: Extract<ModelRouting, 'CHAMPION' | 'AB' | 'CANARY'>;
}

/**
 * Where a key's record goes: the canary owns the lowest buckets (so keys that saw it at 5 % still see it at 25 %),
 * A/B arms the next ranges in their order, the champion the rest. A record without a key goes to the champion.
 */
export function route(routing: StageRouting, bucket: number | null): RouteDecision {
  if (bucket === null || (!routing.canary && !routing.splits.length)) return { version: routing.champion, routing: 'CHAMPION' };
  let upper = 0;
  if (routing.canary) {
    upper += shareOf(routing.canary.percent);
    if (bucket < upper) return { version: routing.canary.version, routing: 'CANARY' };
  }
  for (const split of routing.splits) {
    upper += shareOf(split.percent);
    if (bucket < upper) return { version: split.version, routing: 'AB' };
  }
  return { version: routing.champion, routing: 'CHAMPION' };
}

function shareOf(percent: number): number {
  return Math.round((Math.max(0, Math.min(100, percent)) / 100) * BUCKETS);
}
