import type pg from 'pg';
import { declarePersonalData, erasePersonalData, quoteIdentifier, type PersonalDataDeclaration, type PersonalDataStore, type Queryable } from '@spine/postgres';
import { COLUMNS, fromStoredRow, type StoredRow } from './columns.js';
import { migrate } from './migrate.js';
import type { AiResultRow, AiResultStoreOptions } from './types.js';

// event_id is a uuid column: a string that is not a UUID cannot be stored, so lookups of one find nothing
// (instead of failing with a cast error).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every domain's AI results, stored once per (event id, result topic) however often the sink sees them.
 * The pool is the caller's.
 */
export class AiResultStore implements PersonalDataStore {
  private readonly schema: string;
  private readonly schemaName: string;
  private readonly table: string;
  private readonly qualifiedTable: string;
  private readonly insertSql: string;
  /** Results name their customer by entity key (support) or in the result's customerId (payments: keyed by card). */
  readonly personalData: PersonalDataDeclaration;

  constructor(
    private readonly pool: pg.Pool,
    options: AiResultStoreOptions = {},
  ) {
    this.schemaName = options.schema ?? 'spine';
    this.schema = quoteIdentifier(this.schemaName, 'schema');
    this.table = quoteIdentifier(options.table ?? 'ai_results', 'table');
    this.qualifiedTable = `${this.schema}.${this.table}`;
    this.insertSql = buildInsert(this.qualifiedTable);
    const table = options.table ?? 'ai_results';
    this.personalData = {
      store: `ai-result-store:${table}`,
      description: "Every domain's AI results: the customer is the entity key or the result's customerId.",
      tables: [{ table, match: [{ column: 'entity_key' }, { jsonColumn: 'result', field: 'customerId' }] }],
    };
  }

  /** Creates the schema and table if missing and declares the table's personal data; call once on start. */
  async migrate(): Promise<void> {
    await migrate(this.pool, this.schema, this.table);
    await declarePersonalData(this.pool, this.schemaName, this.personalData);
  }

  /** Deletes every result of the customer (GDPR erasure); returns how many. */
  async eraseCustomer(customerId: string, db: Queryable = this.pool): Promise<number> {
    const erased = await erasePersonalData(db, this.schemaName, this.personalData, customerId);
    return erased.reduce((sum, t) => sum + t.rows, 0);
  }

  /** Inserts rows; rows already stored (same event id and result topic) are left untouched. Returns how many were new. */
  async saveAll(rows: readonly AiResultRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    // Two instances inserting overlapping batches in different orders can deadlock on each other's pending
    // keys (during a rebalance both may hold the same records), so every batch inserts in key order.
    const sorted = [...rows].sort((a, b) => compare(`${a.eventId.toLowerCase()} ${a.resultTopic}`, `${b.eventId.toLowerCase()} ${b.resultTopic}`));
    // One array parameter per column: one statement whatever the batch size, never near the 65535 bind limit.
    const params = COLUMNS.map(({ field, type }) => sorted.map((row) => (type === 'jsonb' ? JSON.stringify(row[field]) : (row[field] ?? null))));
    const result = await this.pool.query(this.insertSql, params);
    return result.rowCount ?? 0;
  }

  /** The results of an event (one per result topic that has one), newest first; or of one result topic. */
  async findByEventId(eventId: string, filter: { resultTopic?: string } = {}): Promise<AiResultRow[]> {
    if (!UUID.test(eventId)) return [];
    const byTopic = filter.resultTopic !== undefined;
    const result = await this.pool.query<StoredRow>(
      `SELECT ${COLUMNS.map((c) => c.column).join(', ')} FROM ${this.qualifiedTable}
        WHERE event_id = $1::uuid ${byTopic ? 'AND result_topic = $2' : ''} ORDER BY stored_at DESC`,
      byTopic ? [eventId, filter.resultTopic] : [eventId],
    );
    return result.rows.map(fromStoredRow);
  }

  /** Number of stored results, optionally of some event ids and/or one result topic. */
  async count(filter: { eventIds?: readonly string[]; resultTopic?: string } = {}): Promise<number> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.eventIds !== undefined) {
      const ids = filter.eventIds.filter((id) => UUID.test(id));
      if (ids.length === 0) return 0;
      params.push(ids);
      where.push(`event_id = ANY($${params.length}::uuid[])`);
    }
    if (filter.resultTopic !== undefined) {
      params.push(filter.resultTopic);
      where.push(`result_topic = $${params.length}`);
    }
    const result = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.qualifiedTable} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, params);
    return Number(result.rows[0]?.n ?? 0);
  }
}

/**
 * INSERT ... SELECT FROM unnest(one array per column) ... ON CONFLICT DO NOTHING.
 * DO NOTHING also absorbs a duplicate inside one batch; a stored row is never modified.
 */
function buildInsert(qualifiedTable: string): string {
  const columns = COLUMNS.map((c) => c.column).join(', ');
  const arrays = COLUMNS.map((c, i) => `$${i + 1}::${c.type === 'jsonb' ? 'text' : c.type}[]`).join(', ');
  const values = COLUMNS.map((c) => (c.column === 'stored_at' ? 'coalesce(stored_at, now())' : c.type === 'jsonb' ? `${c.column}::jsonb` : c.column)).join(', ');
  return `INSERT INTO ${qualifiedTable} (${columns})
          SELECT ${values} FROM unnest(${arrays}) AS batch(${columns})
          ON CONFLICT (event_id, result_topic) DO NOTHING`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
