import { Counter, Histogram, type Metric, type Registry } from 'prom-client';

/** The cache's metrics. Several caches may share a registry: the metrics are created once and shared. */
export class InferenceCacheMetrics {
  /** Looked-up input hashes by outcome (hit | miss): one per hash asked for, not one per query. */
  readonly requests: Counter<'model' | 'version' | 'outcome'>;
  /** Entries written (inserted or refreshed). */
  readonly writes: Counter<'model' | 'version'>;
  /** Entries deleted by prune, by reason: expired (past the TTL) or size (beyond maxEntries). */
  readonly evictions: Counter<'reason'>;
  /** Duration of the cache's statements, by op: get | put | prune. */
  readonly queryDuration: Histogram<'op'>;

  constructor(registry: Registry) {
    this.requests = shared(registry, 'spine_inference_cache_requests_total', (name) => new Counter({
      name,
      help: 'Inference cache look-ups per input hash, by outcome: hit (a stored output younger than the TTL) or miss',
      labelNames: ['model', 'version', 'outcome'],
      registers: [registry],
    }));
    this.writes = shared(registry, 'spine_inference_cache_writes_total', (name) => new Counter({
      name,
      help: 'Model outputs written to the inference cache (inserted or refreshed)',
      labelNames: ['model', 'version'],
      registers: [registry],
    }));
    this.evictions = shared(registry, 'spine_inference_cache_evictions_total', (name) => new Counter({
      name,
      help: 'Inference cache entries deleted by prune, by reason: expired (older than the TTL) or size (oldest beyond maxEntries)',
      labelNames: ['reason'],
      registers: [registry],
    }));
    this.queryDuration = shared(registry, 'spine_inference_cache_query_duration_seconds', (name) => new Histogram({
      name,
      help: 'Duration of inference cache statements, by op: get (one batch look-up), put (one batch upsert), prune',
      labelNames: ['op'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }));
  }
}

function shared<M extends Metric>(registry: Registry, name: string, create: (name: string) => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create(name);
}
