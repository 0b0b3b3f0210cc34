import type pg from 'pg';
import { COLUMNS, fromStoredRow, type StoredRow } from './columns.js';
import { migrate } from './migrate.js';
import { quoteIdentifier } from '@spine/postgres';
import type { ResultsStoreOptions, TriageResultRow } from './types.js';

// event_id is a uuid column: a string that is not a UUID cannot be stored, so lookups of one find nothing
// (instead of failing with a cast error).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** AI triage results, stored once per event id however often the sink sees them. The pool is the caller's. */
export class ResultsStore {
  private readonly schema: string;
  private readonly table: string;
  private readonly qualifiedTable: string;
  private readonly insertSql: string;

  constructor(
    private readonly pool: pg.Pool,
    options: ResultsStoreOptions = {},
  ) {
    this.schema = quoteIdentifier(options.schema ?? 'spine', 'schema');
    this.table = quoteIdentifier(options.table ?? 'triage_results', 'table');
    this.qualifiedTable = `${this.schema}.${this.table}`;
    this.insertSql = buildInsert(this.qualifiedTable);
  }

  /** Creates the schema and table if missing; call once on start. */
  migrate(): Promise<void> {
    return migrate(this.pool, this.schema, this.table);
  }

  /** Inserts rows keyed by event_id; rows whose event id is already stored are left untouched. Returns how many were new. */
  async saveAll(rows: TriageResultRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    // Two instances inserting overlapping batches in different orders can deadlock on each other's pending
    // keys (during a rebalance both may hold the same records), so every batch inserts in event id order.
    const sorted = [...rows].sort((a, b) => compare(a.eventId.toLowerCase(), b.eventId.toLowerCase()));
    // One array parameter per column: one statement whatever the batch size, never near the 65535 bind limit.
    const params = COLUMNS.map(({ field }) => sorted.map((row) => row[field] ?? null));
    const result = await this.pool.query(this.insertSql, params);
    return result.rowCount ?? 0;
  }

  async findByEventId(eventId: string): Promise<TriageResultRow | null> {
    if (!UUID.test(eventId)) return null;
    const result = await this.pool.query<StoredRow>(
      `SELECT ${COLUMNS.map((c) => c.column).join(', ')} FROM ${this.qualifiedTable} WHERE event_id = $1::uuid`,
      [eventId],
    );
    const row = result.rows[0];
    return row ? fromStoredRow(row) : null;
  }

  /** Number of stored results, or of those among `filter.eventIds`. */
  async count(filter: { eventIds?: string[] } = {}): Promise<number> {
    if (filter.eventIds === undefined) {
      const result = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.qualifiedTable}`);
      return Number(result.rows[0]?.n ?? 0);
    }
    const ids = filter.eventIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return 0;
    const result = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.qualifiedTable} WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    return Number(result.rows[0]?.n ?? 0);
  }
}

/**
 * INSERT ... SELECT FROM unnest(one array per column) ... ON CONFLICT (event_id) DO NOTHING.
 * DO NOTHING also absorbs a duplicate id inside one batch; the stored row is never modified.
 */
function buildInsert(qualifiedTable: string): string {
  const columns = COLUMNS.map((c) => c.column).join(', ');
  const arrays = COLUMNS.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const values = COLUMNS.map((c) => (c.column === 'stored_at' ? 'coalesce(stored_at, now())' : c.column)).join(', ');
  return `INSERT INTO ${qualifiedTable} (${columns})
          SELECT ${values} FROM unnest(${arrays}) AS batch(${columns})
          ON CONFLICT (event_id) DO NOTHING`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
