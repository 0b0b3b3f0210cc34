import type { ModelRouting, StageRouting } from '@spine/schemas';

/** Buckets of the key space: a share of keys is a range of buckets, so 0.01 % steps are expressible. */
export const BUCKETS = 10_000;

/**
 * The key's bucket for a stage, 0..BUCKETS-1: FNV-1a (32 bit) of `stage \0 key`. The same entity always lands
 * in the same bucket, so its records always see the same A/B arm; the stage salt keeps two stages' splits independent.
 */
export function bucketOf(stage: string, key: string): number {
  let h = 0x811c9dc5;
  const text = `${stage}\0${key}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so nearby keys spread over the buckets.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h % BUCKETS;
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
  if (bucket === null) return { version: routing.champion, routing: 'CHAMPION' };
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
