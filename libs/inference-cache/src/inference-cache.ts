import type pg from 'pg';
import { Registry } from 'prom-client';
import { databaseSchema, quoteIdentifier, withTransaction } from '@spine/postgres';
import { InferenceCacheMetrics } from './metrics.js';
import { migrate } from './migrate.js';
import { cacheStatements, type CacheStatements } from './statements.js';
import type { CachedOutput, GetManyOptions, InferenceCacheOptions, PruneResult } from './types.js';
import { assertHash, assertMaxAge, assertModel, resolveLimits, type ResolvedLimits } from './validate.js';

interface StoredEntry {
  input_hash: string;
  output: unknown;
  stored_at: Date;
}

/**
 * A cache of model outputs in PostgreSQL, shared by every instance of a stage and kept across restarts:
 * the same input to the same model version is answered from here instead of calling the model again.
 * Entries are keyed by (model, version, input hash), expire after `ttlMs`, and the table is bounded to
 * `maxEntries` (oldest first) by prune. Outputs are stored as JSON (jsonb): store JSON-able outputs; Dates,
 * Buffers, bigints and typed arrays do not come back as such. Database errors are raised as pg raises them.
 * The pool is the caller's: close() stops the background prune but does not end it.
 */
export class InferenceCache {
  private readonly schema: string;
  private readonly table: string;
  private readonly index: string;
  private readonly qualifiedTable: string;
  private readonly sql: CacheStatements;
  private readonly limits: ResolvedLimits;
  private readonly now: () => number;
  private readonly onError: (error: unknown) => void;
  /** The cache's metrics, on options.registry (or the cache's own registry). */
  readonly metrics: InferenceCacheMetrics;
  /** Where the metrics are: options.registry, or a registry of the cache's own. */
  readonly registry: Registry;
  private timer: NodeJS.Timeout | undefined;
  private pruning: Promise<PruneResult> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    options: InferenceCacheOptions,
  ) {
    this.limits = resolveLimits(options);
    this.schema = quoteIdentifier(options.schema ?? databaseSchema(), 'schema');
    const table = options.table ?? 'inference_cache';
    this.table = quoteIdentifier(table, 'table');
    this.index = quoteIdentifier(`${table}_stored_at`.slice(0, 63), 'index');
    this.qualifiedTable = `${this.schema}.${this.table}`;
    this.sql = cacheStatements(this.qualifiedTable);
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    this.registry = options.registry ?? new Registry();
    this.metrics = new InferenceCacheMetrics(this.registry);
    if (this.limits.pruneIntervalMs > 0) {
      this.timer = setInterval(() => this.pruneInBackground(), this.limits.pruneIntervalMs);
      this.timer.unref();
    }
  }

  /** Creates the schema, table and index if missing; idempotent, safe from several instances at once. Call on start. */
  async migrate(): Promise<void> {
    await migrate(this.pool, this.schema, this.table, this.index);
  }

  /**
   * The fresh (younger than the TTL) outputs stored for these input hashes of the model version, by hash; a hash
   * with none is absent from the map. One query per call whatever the number of hashes; each hash asked for
   * counts one hit or miss. The output type is the caller's claim: the cache returns the JSON it stored.
   * `maxAgeMs` narrows freshness for this call (e.g. a model version's own, shorter TTL): an entry older than it is
   * a miss (and counted as one), without waiting for prune.
   */
  async getMany<O>(model: string, version: string, hashes: readonly string[], options: GetManyOptions = {}): Promise<Map<string, CachedOutput<O>>> {
    assertModel('getMany', model, version);
    const maxAgeMs = Math.min(this.limits.ttlMs, assertMaxAge(options.maxAgeMs));
    if (!Array.isArray(hashes)) throw new TypeError('InferenceCache.getMany: hashes must be an array of input hashes');
    hashes.forEach((hash, i) => assertHash('getMany', `hashes[${i}]`, hash));
    const found = new Map<string, CachedOutput<O>>();
    if (hashes.length === 0) return found;
    const distinct = [...new Set(hashes)];
    const rows = await this.timed('get', () => this.pool.query<StoredEntry>(this.sql.get, [model, version, distinct, this.freshSince(maxAgeMs)]));
    for (const row of rows.rows) found.set(row.input_hash, { hash: row.input_hash, output: row.output as O, storedAt: row.stored_at });
    const hits = hashes.reduce((n, hash) => (found.has(hash) ? n + 1 : n), 0);
    if (hits > 0) this.metrics.requests.inc({ model, version, outcome: 'hit' }, hits);
    if (hits < hashes.length) this.metrics.requests.inc({ model, version, outcome: 'miss' }, hashes.length - hits);
    return found;
  }

  /**
   * Stores outputs of the model version under their input hashes, stamped now: one upsert statement per call, an
   * existing entry overwritten and refreshed. A hash given twice keeps its last output. Concurrent writers of the
   * same keys (two instances of a stage) do not fail or deadlock: every batch writes in hash order.
   */
  async putMany<O>(model: string, version: string, entries: ReadonlyArray<{ hash: string; output: O }>): Promise<void> {
    assertModel('putMany', model, version);
    if (!Array.isArray(entries)) throw new TypeError('InferenceCache.putMany: entries must be an array of { hash, output }');
    const byHash = new Map<string, string>();
    entries.forEach((entry, i) => {
      assertHash('putMany', `entries[${i}].hash`, entry?.hash);
      byHash.set(entry.hash, outputJson(entry.output, i));
    });
    if (byHash.size === 0) return;
    const hashes = [...byHash.keys()].sort(compare);
    const outputs = hashes.map((hash) => byHash.get(hash)!);
    await this.timed('put', () => this.pool.query(this.sql.put, [model, version, hashes, outputs, new Date(this.now())]));
    this.metrics.writes.inc({ model, version }, hashes.length);
  }

  /**
   * Deletes the entries older than the TTL, then the oldest entries beyond maxEntries (over every model and
   * version). One instance prunes at a time: while another instance's prune runs, this one returns zeros.
   */
  async prune(): Promise<PruneResult> {
    const result = await this.timed('prune', () =>
      withTransaction(this.pool, async (client) => {
        const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`spine.inference-cache.prune:${this.qualifiedTable}`]);
        if (!lock.rows[0]?.locked) return { expired: 0, evicted: 0 };
        const expired = (await client.query(this.sql.expire, [this.freshSince()])).rowCount ?? 0;
        const evicted = (await client.query(this.sql.evict, [this.limits.maxEntries])).rowCount ?? 0;
        return { expired, evicted };
      }),
    );
    if (result.expired > 0) this.metrics.evictions.inc({ reason: 'expired' }, result.expired);
    if (result.evicted > 0) this.metrics.evictions.inc({ reason: 'size' }, result.evicted);
    return result;
  }

  /** Stops the background prune and waits for a running one; the pool stays open (it is the caller's). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pruning?.catch(() => undefined);
  }

  private pruneInBackground(): void {
    if (this.pruning) return; // the previous one is still running (a large table, a slow database)
    this.pruning = this.prune();
    this.pruning
      .catch((error: unknown) => {
        try {
          this.onError(error);
        } catch {
          // an onError that throws must not become an unhandled rejection
        }
      })
      .finally(() => {
        this.pruning = undefined;
      });
  }

  /** The oldest stored_at that is still fresh: an entry exactly maxAgeMs old is a hit, older is a miss. */
  private freshSince(maxAgeMs = this.limits.ttlMs): Date {
    return new Date(this.now() - maxAgeMs);
  }

  private async timed<T>(op: 'get' | 'put' | 'prune', work: () => Promise<T>): Promise<T> {
    const end = this.metrics.queryDuration.startTimer({ op });
    try {
      return await work();
    } finally {
      end();
    }
  }
}

function outputJson(output: unknown, index: number): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(output);
  } catch (error) {
    throw new TypeError(`InferenceCache.putMany: entries[${index}].output cannot be stored as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (json === undefined) throw new TypeError(`InferenceCache.putMany: entries[${index}].output is ${typeof output}; store a JSON value (object, array, number, string, boolean or null)`);
  return json;
}

// Code-unit order: the same lock order in every process.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
