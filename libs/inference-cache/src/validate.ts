import type { InferenceCacheOptions } from './types.js';

/** The options with defaults applied, or a clear error naming the bad field. */
export interface ResolvedLimits {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly pruneIntervalMs: number;
}

export function resolveLimits(options: InferenceCacheOptions): ResolvedLimits {
  const { ttlMs, maxEntries, pruneIntervalMs = 60_000 } = options ?? ({} as InferenceCacheOptions);
  if (typeof ttlMs !== 'number' || !(ttlMs > 0) || !Number.isFinite(ttlMs)) {
    throw new Error(`InferenceCache: options.ttlMs must be a positive number of milliseconds (got ${String(ttlMs)})`);
  }
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new Error(`InferenceCache: options.maxEntries must be a positive integer (got ${String(maxEntries)})`);
  }
  if (!Number.isSafeInteger(pruneIntervalMs) || pruneIntervalMs < 0 || pruneIntervalMs > 2_147_483_647) {
    throw new Error(`InferenceCache: options.pruneIntervalMs must be a whole number of milliseconds, 0 (no background prune) up to 2147483647 (got ${String(pruneIntervalMs)})`);
  }
  return { ttlMs, maxEntries, pruneIntervalMs };
}

/** Throws unless model and version are non-empty strings. */
export function assertModel(method: string, model: unknown, version: unknown): void {
  if (typeof model !== 'string' || model === '') throw new TypeError(`InferenceCache.${method}: model must be a non-empty string (got ${JSON.stringify(model)})`);
  if (typeof version !== 'string' || version === '') throw new TypeError(`InferenceCache.${method}: version must be a non-empty string (got ${JSON.stringify(version)})`);
}

/** Throws unless every hash is a non-empty string, naming the first bad one by index. */
export function assertHash(method: string, field: string, hash: unknown): asserts hash is string {
  if (typeof hash !== 'string' || hash === '') {
    throw new TypeError(`InferenceCache.${method}: ${field} must be a non-empty string, e.g. inputHash(input) (got ${JSON.stringify(hash)})`);
  }
}

/** options.maxAgeMs of getMany: absent (the TTL applies), or a number of milliseconds, 0 or more. */
export function assertMaxAge(maxAgeMs: unknown): number {
  if (maxAgeMs === undefined) return Infinity;
  if (typeof maxAgeMs !== 'number' || Number.isNaN(maxAgeMs) || maxAgeMs < 0) {
    throw new TypeError(`InferenceCache.getMany: options.maxAgeMs must be a number of milliseconds, 0 or more (got ${String(maxAgeMs)})`);
  }
  return maxAgeMs;
}
