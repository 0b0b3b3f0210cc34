import type pg from 'pg';
import { migrate } from './migrate.js';
import { quoteIdentifier, withTransaction } from '@spine/postgres';
import { featureSql, toFeatures, type AppliedRow, type FeaturesRow } from './sql.js';
import type { CustomerFeatures, FeatureStoreOptions, FeatureUpdate } from './types.js';
import { assertUpdate } from './validate.js';

/**
 * Online per-customer features, fed by the message stream. The pool belongs to the caller (one pool per
 * process, shared with whatever else talks to the database).
 */
export class FeatureStore {
  private readonly schema: string;
  private readonly sql: ReturnType<typeof featureSql>;
  /**
   * The per-event statements, named so that each pooled connection parses and plans them once and PostgreSQL
   * reuses the plan: planning applyEvent costs about as much as running it. pg keys named statements by name
   * per connection, and stores of different schemas may share a pool, hence the schema in the name.
   */
  private readonly prepared: Record<'lockCustomer' | 'applyEvent', { name: string; text: string }>;

  constructor(
    private readonly pool: pg.Pool,
    options: FeatureStoreOptions = {},
  ) {
    this.schema = quoteIdentifier(options.schema ?? 'spine', 'schema');
    this.sql = featureSql(this.schema);
    this.prepared = {
      lockCustomer: { name: `feature-store.lockCustomer:${this.schema}`, text: this.sql.lockCustomer },
      applyEvent: { name: `feature-store.applyEvent:${this.schema}`, text: this.sql.applyEvent },
    };
  }

  /** Creates the tables if missing; call once on start. */
  migrate(): Promise<void> {
    return migrate(this.pool, this.schema);
  }

  /**
   * Applies the event to the customer's aggregates exactly once (keyed by eventId) and returns the features as
   * of this event. A redelivery changes nothing and returns what the first delivery returned.
   *
   * Four round trips: BEGIN, lockCustomer, applyEvent, COMMIT. The lock and the apply must stay two statements
   * (see applyEvent), and the transaction is what holds the lock across them.
   */
  async applyAndRead(update: FeatureUpdate): Promise<CustomerFeatures> {
    assertUpdate(update); // async method, so bad input rejects the promise like every other failure
    const { eventId, customerId, occurredAt, bodyLength, orderAmount } = update;
    return withTransaction(this.pool, async (client) => {
      // Kafka keys by customer, so one instance normally owns a customer; the lock keeps this correct during
      // rebalances too, when two instances can briefly hold the same partition.
      await client.query({ ...this.prepared.lockCustomer, values: [customerId] });
      const result = await client.query<AppliedRow>({
        ...this.prepared.applyEvent,
        values: [eventId, customerId, occurredAt, bodyLength, orderAmount],
      });
      const row = result.rows[0] ?? (await this.selectApplied(client, eventId));
      // Same id, different customer: the producer reused an id. Refuse rather than report someone else's features.
      if (row.customer_id !== customerId) {
        throw new Error(`event ${eventId} was already applied for customer ${row.customer_id}, not ${customerId}`);
      }
      return toFeatures(row);
    });
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

  /**
   * The stored row of an event whose id applyEvent found taken by a transaction that committed after its
   * snapshot (so only another customer's); this statement's newer snapshot sees it.
   */
  private async selectApplied(client: pg.PoolClient, eventId: string): Promise<AppliedRow> {
    const result = await client.query<AppliedRow>(this.sql.selectAppliedEvent, [eventId]);
    const row = result.rows[0];
    if (!row) throw new Error(`event ${eventId} neither inserted nor found; this is a bug`);
    return row;
  }
}
