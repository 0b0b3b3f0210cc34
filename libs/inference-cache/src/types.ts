import type { Registry } from 'prom-client';

/** How an InferenceCache stores, expires and bounds its entries. */
export interface InferenceCacheOptions {
  /** PostgreSQL schema of the cache table (unquoted); default SPINE_DB_SCHEMA, else `spine`. */
  schema?: string;
  /** Table name (unquoted); default `inference_cache`. */
  table?: string;
  /** An entry older than this (ms since it was stored) is a miss, and prune deletes it. */
  ttlMs: number;
  /** Bound on the number of entries in the whole table (every model and version); prune deletes the oldest beyond it. */
  maxEntries: number;
  /** Where the cache's metrics go; default a new Registry of its own. */
  registry?: Registry;
  /** The clock (ms since the epoch); default Date.now. Entries are stamped with it, so instances should share a synced clock. */
  now?: () => number;
  /** How often a background prune runs (the timer is unref'd); 0 = never (call prune yourself). Default 60 000. */
  pruneIntervalMs?: number;
  /** Receives a background prune's error (the timer keeps running); default: ignored. */
  onError?: (error: unknown) => void;
}

/** Per-call options of getMany. */
export interface GetManyOptions {
  /** Only entries at most this old (ms) are hits, when shorter than the cache's ttlMs; default ttlMs. */
  maxAgeMs?: number;
}

/** One cached model output. */
export interface CachedOutput<O> {
  /** The input hash it was stored under (see inputHash). */
  hash: string;
  /** The output as stored: JSON, so Dates come back as ISO strings and Buffers as their JSON form. */
  output: O;
  /** When it was stored (by the writer's clock). */
  storedAt: Date;
}

/** What one prune deleted: entries past the TTL, and the oldest entries beyond maxEntries. */
export interface PruneResult {
  expired: number;
  evicted: number;
}
