export { inputHash } from './input-hash.js';
export { InferenceCache } from './inference-cache.js';
export { InferenceCacheMetrics } from './metrics.js';
export type { CachedOutput, GetManyOptions, InferenceCacheOptions, PruneResult } from './types.js';
