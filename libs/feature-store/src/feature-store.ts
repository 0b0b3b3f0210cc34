import { createHash } from 'node:crypto';
import type pg from 'pg';
import { migrate } from './migrate.js';
import { declarePersonalData, erasePersonalData, quoteIdentifier, withTransaction, type PersonalDataStore, type Queryable } from '@spine/postgres';
import { FEATURE_STORE_PERSONAL_DATA } from './personal-data.js';
import { featureSql, toFeatures, type AppliedEventRow, type FeaturesRow } from './sql.js';
import type { CustomerFeatures, FeatureStoreOptions, FeatureUpdate } from './types.js';
import { assertUpdate } from './validate.js';

/**
 * Online per-customer features, fed by the message stream. The pool belongs to the caller (one pool per
 * process, shared with whatever else talks to the database).
 */
export class FeatureStore implements PersonalDataStore {
  readonly personalData = FEATURE_STORE_PERSONAL_DATA;
  private readonly schema: string;
  private readonly sql: ReturnType<typeof featureSql>;
  /**
   * The per-event statements, named so that each pooled connection parses and plans them once and PostgreSQL
   * reuses the plan: planning applyEvents costs about as much as running it. pg keys named statements by name
   * per connection, and stores of different schemas may share a pool, hence the schema's digest in the name.
   */
  private readonly prepared: Record<'lockCustomers' | 'applyEvents', { name: string; text: string }>;

  constructor(
    private readonly pool: pg.Pool,
    options: FeatureStoreOptions = {},
  ) {
    this.schema = quoteIdentifier(options.schema ?? 'spine', 'schema');
    this.sql = featureSql(this.schema);
    // PostgreSQL cuts statement names at 63 bytes, so a long schema name would make two stores' names
    // collide on the server ("prepared statement already exists"); a digest of the schema keeps them short.
    const tag = createHash('sha256').update(this.schema).digest('hex').slice(0, 16);
    this.prepared = {
      lockCustomers: { name: `feature-store.lockCustomers:${tag}`, text: this.sql.lockCustomers },
      applyEvents: { name: `feature-store.applyEvents:${tag}`, text: this.sql.applyEvents },
    };
  }

  /** Creates the tables if missing and declares their personal data; call once on start. */
  async migrate(): Promise<void> {
    await migrate(this.pool, this.schema);
    await declarePersonalData(this.pool, this.schema.slice(1, -1), this.personalData);
  }

  /** Deletes the customer's applied events and running totals (GDPR erasure); returns how many rows. */
  async eraseCustomer(customerId: string, db: Queryable = this.pool): Promise<number> {
    const erased = await erasePersonalData(db, this.schema.slice(1, -1), this.personalData, customerId);
    return erased.reduce((sum, t) => sum + t.rows, 0);
  }

  /**
   * Applies the event to the customer's aggregates exactly once (keyed by eventId) and returns the features as
   * of this event. A redelivery changes nothing and returns what the first delivery returned.
   */
  async applyAndRead(update: FeatureUpdate): Promise<CustomerFeatures> {
    const [result] = await this.applyAndReadAll([update]);
    if (result instanceof Error) throw result;
    return result!;
  }

  /**
   * applyAndRead for a batch, set-based: one transaction of four round trips whatever the batch size
   * (BEGIN, lock every customer of the batch, apply every event, COMMIT), answers in input order. The lock and
   * the apply must stay two statements (see applyEvents in sql.ts). Several events of one customer in one batch
   * are applied in input order (one apply statement per "round" of distinct customers, same transaction).
   * A slot holds an Error when that update is invalid or its id was applied for another customer; the others
   * are applied regardless. Correct with two instances on overlapping batches (a rebalance): customers are
   * locked in one order, events are stored once by id.
   */
  async applyAndReadAll(updates: readonly FeatureUpdate[]): Promise<Array<CustomerFeatures | Error>> {
    const results: Array<CustomerFeatures | Error | undefined> = updates.map((update) => {
      try {
        assertUpdate(update);
        return undefined;
      } catch (error) {
        return error as Error;
      }
    });
    const valid = updates.map((u, i) => ({ u, i })).filter(({ i }) => results[i] === undefined);
    if (!valid.length) return results as Array<CustomerFeatures | Error>;
    const rounds = intoRounds(valid);
    await withTransaction(this.pool, async (client) => {
      // Kafka keys by customer, so one instance normally owns a customer; the locks keep this correct during
      // rebalances too, when two instances can briefly hold the same partition.
      await client.query({ ...this.prepared.lockCustomers, values: [[...new Set(valid.map(({ u }) => u.customerId))]] });
      for (const round of rounds) {
        const column = <K extends keyof FeatureUpdate>(key: K) => round.map(({ u }) => u[key]);
        const { rows } = await client.query<AppliedEventRow>({
          ...this.prepared.applyEvents,
          values: [column('eventId'), column('customerId'), column('occurredAt'), column('bodyLength'), column('orderAmount')],
        });
        const byId = new Map(rows.map((r) => [r.event_id.toLowerCase(), r]));
        const missing = round.filter(({ u }) => !byId.has(u.eventId.toLowerCase())).map(({ u }) => u.eventId);
        if (missing.length) {
          const again = await client.query<AppliedEventRow>(this.sql.selectAppliedEvents, [missing]);
          for (const r of again.rows) byId.set(r.event_id.toLowerCase(), r);
        }
        for (const { u, i } of round) {
          const row = byId.get(u.eventId.toLowerCase());
          if (!row) results[i] = new Error(`event ${u.eventId} neither inserted nor found; this is a bug`);
          // Same id, different customer: the producer reused an id. Refuse rather than report someone else's features.
          else if (row.customer_id !== u.customerId) results[i] = new Error(`event ${u.eventId} was already applied for customer ${row.customer_id}, not ${u.customerId}`);
          else results[i] = toFeatures(row);
        }
      }
    });
    return results as Array<CustomerFeatures | Error>;
  }

  /**
   * The customer's current features: totals over all applied events, messages in the 24 hours before now,
   * and the latest contact as previousContactAt. Null for a customer never seen.
   */
  async read(customerId: string): Promise<CustomerFeatures | null> {
    const result = await this.pool.query<FeaturesRow>(this.sql.readCustomer, [customerId]);
    const row = result.rows[0];
    return row ? toFeatures(row) : null;
  }

}

/** Splits updates into rounds of distinct customers, keeping each customer's updates in input order. */
function intoRounds<T extends { u: FeatureUpdate }>(updates: readonly T[]): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const entry of updates) {
    const round = seen.get(entry.u.customerId) ?? 0;
    seen.set(entry.u.customerId, round + 1);
    (rounds[round] ??= []).push(entry);
  }
  return rounds;
}
