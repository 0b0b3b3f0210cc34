import type pg from 'pg';
import { declarePersonalData, quoteIdentifier, type PersonalDataDeclaration, type PersonalDataStore, type Queryable } from '@spine/postgres';
import { migrate } from './migrate.js';
import { cardActivitySql, toHistory, type HistoryRow } from './sql.js';
import type { CardActivityStoreOptions, CardPayment, PaymentHistory } from './types.js';
import { assertPayment } from './validate.js';

// Index names are `${table}_customer_time_idx`; PostgreSQL truncates names past 63 characters, so a longer table
// name could make two tables' indexes collide (and CREATE INDEX IF NOT EXISTS would then skip one silently).
const MAX_TABLE_LENGTH = 63 - '_customer_time_idx'.length;

/**
 * Per-card and per-customer payment history for velocity features, fed by the payment stream. The pool belongs
 * to the caller (one pool per process, shared with whatever else talks to the database).
 */
export class CardActivityStore implements PersonalDataStore {
  private readonly schema: string;
  private readonly schemaName: string;
  /** Payments name their customer in customer_id (all of the customer's cards). */
  readonly personalData: PersonalDataDeclaration;
  private readonly table: string;
  private readonly tableName: string;
  private readonly sql: ReturnType<typeof cardActivitySql>;

  constructor(
    private readonly pool: pg.Pool,
    options: CardActivityStoreOptions = {},
  ) {
    this.schemaName = options.schema ?? 'spine';
    this.schema = quoteIdentifier(this.schemaName, 'schema');
    this.tableName = options.table ?? 'card_payments';
    this.table = quoteIdentifier(this.tableName, 'table');
    if (this.tableName.length > MAX_TABLE_LENGTH) {
      throw new Error(`Invalid table ${JSON.stringify(this.tableName)}: at most ${MAX_TABLE_LENGTH} characters (index names derive from it)`);
    }
    this.sql = cardActivitySql(`${this.schema}.${this.table}`);
    this.personalData = {
      store: `card-activity-store:${this.tableName}`,
      description: 'Payments-domain card activity: every payment seen, with its card and customer.',
      tables: [{ table: this.tableName, match: [{ column: 'customer_id' }] }],
    };
  }

  /** Creates the schema, table and indexes if missing and declares the table's personal data; call once on start. */
  async migrate(): Promise<void> {
    await migrate(this.pool, this.schema, this.table, this.tableName);
    await declarePersonalData(this.pool, this.schemaName, this.personalData);
  }

  /**
   * Records the payment once per eventId and returns its card's and customer's history as of its occurredAt
   * (see PaymentHistory). One round trip. A redelivery stores nothing and returns the same history as the first
   * delivery unless, in between, a payment of the same card with occurredAt in [t − 30 days, t] or of the same
   * customer in (t − 24 h, t] was recorded (or erased): the history is read from the table each time, so it
   * reflects every payment stored with occurredAt ≤ t, whenever it arrived. Later payments never change it.
   */
  async recordAndRead(payment: CardPayment): Promise<PaymentHistory> {
    assertPayment(payment, 'payment'); // async method, so bad input rejects the promise like every other failure
    const [history] = await this.recordAndReadAll([payment]);
    return history!;
  }

  /**
   * recordAndRead for a batch, in one statement: results in input order, and each payment's history includes
   * the batch's payments before it in input order, exactly as if they had been recorded one by one. The batch
   * is atomic: a payment that fails validation (RangeError naming its index) stores none of it.
   *
   * Two instances recording overlapping batches at once (a consumer-group rebalance) store each eventId once
   * and never deadlock. Each statement reads the table as of its start, so a payment that the other instance
   * has not yet committed is missing from its histories (only the batch's own payments are added); a later
   * redelivery sees it, per the rule above.
   */
  async recordAndReadAll(payments: readonly CardPayment[]): Promise<PaymentHistory[]> {
    payments.forEach((payment, i) => assertPayment(payment, `payments[${i}]`));
    if (payments.length === 0) return [];
    // Not a named (prepared) statement on purpose: the best plan depends on the batch size, which a custom plan
    // sees in the bound arrays and a cached generic plan would not.
    const result = await this.pool.query<HistoryRow>(this.sql.recordAndReadAll, [
      payments.map((p) => p.eventId),
      payments.map((p) => p.cardId),
      payments.map((p) => p.customerId),
      payments.map((p) => p.merchantId),
      payments.map((p) => p.country),
      payments.map((p) => p.amount),
      payments.map((p) => p.occurredAt),
    ]);
    if (result.rows.length !== payments.length || result.rows.some((row, i) => row.ord !== i + 1)) {
      throw new Error(`recordAndReadAll got ${result.rows.length} rows for ${payments.length} payments; this is a bug`);
    }
    return result.rows.map(toHistory);
  }

  /** Deletes every stored payment of the customer (all cards), e.g. for a GDPR erasure; returns how many. */
  async eraseCustomer(customerId: string, db: Queryable = this.pool): Promise<number> {
    const result = await db.query(this.sql.eraseCustomer, [customerId]);
    return result.rowCount ?? 0;
  }
}
