import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { quoteIdentifier } from '@spine/postgres';
import { numberFromEnv } from '../env.js';
import { migrateEdge } from '../migrate.js';

/** What a request with an Idempotency-Key may do. */
export type Acquired =
  /** Go ahead, as the only request holding the key; use these event ids (a failed earlier attempt's, if any). */
  | { readonly kind: 'acquired'; readonly eventIds: string[] }
  /** Answered before: send this again, publish nothing. */
  | { readonly kind: 'replay'; readonly status: number; readonly response: unknown }
  /** The key was used with a different request (422). */
  | { readonly kind: 'mismatch' }
  /** Another request with the key is still running after the wait (409, retry shortly). */
  | { readonly kind: 'in-progress' };

export interface IdempotencyOptions {
  readonly schema: string;
  /** How long a key is remembered (default 24 h); older keys are purged and may be reused. */
  readonly retentionMs?: number;
  /** How long a running request holds the key; past it (its process died) another request may take over. */
  readonly leaseMs?: number;
  /** How long a concurrent request with the same key waits for the first one's answer before a 409. */
  readonly waitMs?: number;
}

/** Visible ASCII, 1-255 characters (a UUID is the usual choice). */
const KEY = /^[\x21-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return KEY.test(key);
}

/**
 * Idempotency keys in PostgreSQL (`<schema>.idempotency_keys`), per credential: the first request with a key
 * takes it (a row, in one INSERT ... ON CONFLICT statement, so two racing requests cannot both win), does its
 * work and stores its answer; a retry with the same request gets that answer again. A request that failed with
 * a 5xx releases the key but keeps its event ids, so a retry publishes under the same ids (deduplicated
 * downstream by event id even if the failed attempt did reach Kafka).
 */
export class IdempotencyStore {
  private readonly table: string;
  readonly retentionMs: number;
  readonly leaseMs: number;
  readonly waitMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: IdempotencyOptions,
  ) {
    this.table = `${quoteIdentifier(options.schema, 'schema')}.idempotency_keys`;
    this.retentionMs = options.retentionMs ?? 24 * 3_600_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitMs = options.waitMs ?? 10_000;
  }

  /** SPINE_IDEMPOTENCY_RETENTION_HOURS (24), SPINE_IDEMPOTENCY_WAIT_MS (10000). */
  static fromEnv(pool: pg.Pool, schema: string, env: NodeJS.ProcessEnv = process.env): IdempotencyStore {
    return new IdempotencyStore(pool, {
      schema,
      retentionMs: numberFromEnv(env, 'SPINE_IDEMPOTENCY_RETENTION_HOURS', 24) * 3_600_000,
      waitMs: numberFromEnv(env, 'SPINE_IDEMPOTENCY_WAIT_MS', 10_000),
    });
  }

  migrate(): Promise<void> {
    return migrateEdge(this.pool, this.options.schema);
  }

  /**
   * Takes the key for this request, or says what to answer instead. A concurrent request with the same key
   * waits (polling) up to `waitMs` for the first one's answer.
   */
  async acquire(principal: string, key: string, hash: Buffer, eventIds: readonly string[]): Promise<Acquired> {
    const deadline = Date.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      const taken = await this.pool.query<{ event_ids: string[] }>(
        `INSERT INTO ${this.table} AS i (principal, key, request_hash, event_ids, state, locked_until, expires_at)
         VALUES ($1, $2, $3, $4, 'in_progress', now() + $5 * interval '1 millisecond', now() + $6 * interval '1 millisecond')
         ON CONFLICT (principal, key) DO UPDATE SET
           request_hash = CASE WHEN i.expires_at <= now() THEN EXCLUDED.request_hash ELSE i.request_hash END,
           event_ids = CASE WHEN i.expires_at <= now() THEN EXCLUDED.event_ids ELSE i.event_ids END,
           created_at = CASE WHEN i.expires_at <= now() THEN now() ELSE i.created_at END,
           expires_at = CASE WHEN i.expires_at <= now() THEN EXCLUDED.expires_at ELSE i.expires_at END,
           state = 'in_progress', locked_until = EXCLUDED.locked_until, status = NULL, response = NULL, completed_at = NULL
         WHERE i.expires_at <= now()
            OR (i.request_hash = EXCLUDED.request_hash AND (i.state = 'open' OR (i.state = 'in_progress' AND i.locked_until <= now())))
         RETURNING event_ids`,
        [principal, key, hash, eventIds, this.leaseMs, this.retentionMs],
      );
      if (taken.rows[0]) return { kind: 'acquired', eventIds: taken.rows[0].event_ids };
      const { rows } = await this.pool.query<{ request_hash: Buffer; state: string; status: number | null; response: unknown }>(
        `SELECT request_hash, state, status, response FROM ${this.table} WHERE principal = $1 AND key = $2`,
        [principal, key],
      );
      const row = rows[0];
      if (row && !row.request_hash.equals(hash)) return { kind: 'mismatch' };
      if (row?.state === 'done') return { kind: 'replay', status: row.status!, response: row.response };
      // In progress elsewhere (or changed between the two statements): wait and look again.
      if (Date.now() >= deadline) return { kind: 'in-progress' };
      await sleep(Math.min(25 * 2 ** Math.min(attempt, 3), 200));
    }
  }

  /** Stores the answer every later request with the key gets. */
  async complete(principal: string, key: string, status: number, response: unknown): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET state = 'done', status = $3, response = $4::jsonb, completed_at = now(), locked_until = NULL
        WHERE principal = $1 AND key = $2 AND state = 'in_progress'`,
      [principal, key, status, JSON.stringify(response)],
    );
  }

  /** The attempt failed (5xx): the next request with the key may try again, with the same event ids. */
  async release(principal: string, key: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.table} SET state = 'open', locked_until = NULL WHERE principal = $1 AND key = $2 AND state = 'in_progress'`, [principal, key]);
  }

  /** Deletes keys past their retention (in batches); returns how many. */
  async purgeExpired(batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.pool.query(
        `DELETE FROM ${this.table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${this.table} WHERE expires_at <= now() LIMIT $1))`,
        [batch],
      );
      total += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < batch) return total;
    }
  }
}
