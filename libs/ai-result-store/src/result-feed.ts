import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { quoteIdentifier } from '@spine/postgres';
import { COLUMNS, fromStoredRow, type StoredRow } from './columns.js';
import { RESULTS_CHANNEL } from './stream-columns.js';
import type { AiResultRow } from './types.js';

/** Where a stream is: after the row (tx, seq) in stream order (inserting transaction, then sequence). */
export interface StreamPosition {
  readonly tx: string;
  readonly seq: string;
}

export interface StreamFilter {
  readonly resultTopic?: string;
  readonly entityKey?: string;
}

export interface StreamedResult {
  /** The row's sequence: the SSE event id a client resumes from. */
  readonly sequence: string;
  readonly position: StreamPosition;
  readonly row: AiResultRow;
}

const START: StreamPosition = { tx: '0', seq: '0' };
const WAKE_EVERY_MS = 20;
const SEQUENCE = /^\d{1,19}$/;

/**
 * Stored results in a resumable order, and a signal when there may be new ones. A row is only read once
 * every transaction older than its own has ended (`tx_id` below the snapshot's xmin): sequence values are
 * drawn before commit, so without that a reader could pass a row whose neighbour commits later and miss
 * it. Live: one LISTEN connection per process (started with the first reader), plus a fallback poll.
 */
export class AiResultFeed {
  private readonly qualified: string;
  private readonly payload: string;
  private readonly selectSql: string;
  private readonly changed = new EventEmitter();
  private listener: pg.PoolClient | undefined;
  private starting: Promise<void> | undefined;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private lastWake = 0;
  private readonly fallbackPollMs: number;
  /** Bumped on every notification (or poll): a reader that saw version v re-reads once it moves. */
  version = 0;

  constructor(
    private readonly pool: pg.Pool,
    options: { schema?: string; table?: string; fallbackPollMs?: number } = {},
  ) {
    this.fallbackPollMs = options.fallbackPollMs ?? 30_000;
    const schema = options.schema ?? 'spine';
    const table = options.table ?? 'ai_results';
    this.qualified = `${quoteIdentifier(schema, 'schema')}.${quoteIdentifier(table, 'table')}`;
    this.payload = `${schema}.${table}`;
    this.selectSql = `t.seq::text AS seq, t.tx_id::text AS tx, ${COLUMNS.map((c) => `t.${c.column}`).join(', ')}`;
    this.changed.setMaxListeners(0);
  }

  static isSequence(raw: string): boolean {
    return SEQUENCE.test(raw);
  }

  /** The position just after the result with this sequence (a Last-Event-ID); '0' is the beginning. */
  async after(sequence: string): Promise<StreamPosition> {
    if (!SEQUENCE.test(sequence)) throw new Error(`"${sequence}" is not a result sequence`);
    if (/^0+$/.test(sequence)) return START;
    const exact = await this.pool.query<StreamPosition>(`SELECT tx_id::text AS tx, seq::text AS seq FROM ${this.qualified} WHERE seq = $1`, [sequence]);
    if (exact.rows[0]) return exact.rows[0];
    // Erased since (or never here): resume after the nearest earlier row that is still stored.
    const earlier = await this.pool.query<StreamPosition>(`SELECT tx_id::text AS tx, seq::text AS seq FROM ${this.qualified} WHERE seq < $1 ORDER BY seq DESC LIMIT 1`, [sequence]);
    return earlier.rows[0] ?? START;
  }

  /** The position of "now": results whose transactions have not ended yet, and all later ones. */
  async now(): Promise<StreamPosition> {
    const { rows } = await this.pool.query<{ tx: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS tx');
    return { tx: rows[0]!.tx, seq: '0' };
  }

  /**
   * Up to `limit` results after `from` that match, in stream order. `held`: more rows exist that must wait
   * for an older transaction to end; read again shortly.
   */
  async read(from: StreamPosition, filter: StreamFilter, limit: number): Promise<{ results: StreamedResult[]; held: boolean }> {
    const params: unknown[] = [from.tx, from.seq, limit];
    const where = [`(t.tx_id, t.seq) > ($1::xid8, $2::bigint)`, `t.tx_id < h.horizon`];
    if (filter.resultTopic !== undefined) where.push(`t.result_topic = $${params.push(filter.resultTopic)}`);
    if (filter.entityKey !== undefined) where.push(`t.entity_key = $${params.push(filter.entityKey)}`);
    // One horizon for the page and the `held` check below: every transaction older than it has ended.
    const { rows } = await this.pool.query<(StoredRow & { seq: string; tx: string; horizon: string }) | { seq: null; horizon: string }>(
      `SELECT h.horizon::text AS horizon, p.* FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon) h
         LEFT JOIN LATERAL (
           SELECT ${this.selectSql} FROM ${this.qualified} t WHERE ${where.join(' AND ')} ORDER BY t.tx_id, t.seq LIMIT $3
         ) p ON true`,
      params,
    );
    const horizon = rows[0]!.horizon;
    const results = rows.filter((r): r is StoredRow & { seq: string; tx: string; horizon: string } => r.seq !== null).map((r) => ({ sequence: r.seq, position: { tx: r.tx, seq: r.seq }, row: fromStoredRow(r) }));
    if (results.length === limit) return { results, held: false };
    const last = results.at(-1)?.position ?? from;
    // Rows past the page that were (or are) behind the horizon: read again shortly rather than at the next insert.
    const held = await this.pool.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.qualified} WHERE (tx_id, seq) > ($1::xid8, $2::bigint) AND tx_id >= $3::xid8) AS held`,
      [last.tx, last.seq, horizon],
    );
    return { results, held: held.rows[0]!.held };
  }

  /** The oldest open transaction with a transaction id (what holds rows back), for a log line when it lasts. */
  async oldestOpenTransaction(): Promise<{ pid: number; state: string; seconds: number; query: string } | undefined> {
    const { rows } = await this.pool.query<{ pid: number; state: string; seconds: number; query: string }>(
      `SELECT pid, state, extract(epoch FROM now() - xact_start)::float8 AS seconds, left(query, 200) AS query
         FROM pg_stat_activity WHERE backend_xid IS NOT NULL ORDER BY xact_start LIMIT 1`,
    );
    return rows[0];
  }

  /** Resolves once `version` differs from `seen` (something was stored), after `timeoutMs`, or when `signal` aborts. */
  async changedSince(seen: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await this.listen();
    if (this.version !== seen || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.changed.off('change', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.changed.on('change', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Releases the LISTEN connection (before the pool closes). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.wakeTimer);
    await this.starting?.catch(() => undefined);
    const client = this.listener;
    this.listener = undefined;
    if (client) {
      await client.query(`UNLISTEN ${RESULTS_CHANNEL}`).catch(() => undefined);
      client.release();
    }
    this.bump();
  }

  private bump(): void {
    this.version++;
    this.changed.emit('change');
  }

  /** Notifications come per insert statement; readers are woken at most every WAKE_EVERY_MS (each wake costs every reader a query). */
  private notified(): void {
    if (this.wakeTimer) return;
    const wait = Math.max(0, this.lastWake + WAKE_EVERY_MS - Date.now());
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.lastWake = Date.now();
      this.bump();
    }, wait);
  }

  private listen(): Promise<void> {
    if (this.closed || this.listener) return Promise.resolve();
    this.starting ??= this.connect().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async connect(): Promise<void> {
    const client = await this.pool.connect();
    client.on('notification', (n) => {
      if (n.channel === RESULTS_CHANNEL && n.payload === this.payload) this.notified();
    });
    client.on('error', () => {
      // The connection broke: readers re-read (they may have missed a notification) and the next wait reconnects.
      if (this.listener === client) this.listener = undefined;
      client.release(true);
      this.bump();
    });
    await client.query(`LISTEN ${RESULTS_CHANNEL}`);
    this.listener = client;
    this.poll ??= setInterval(() => this.bump(), this.fallbackPollMs);
    this.poll.unref();
  }
}
