import type pg from 'pg';
import { migrate } from './migrate.js';
import { quoteIdentifier, withTransaction } from '@spine/postgres';
import { featureSql, toFeatures, type FeaturesRow } from './sql.js';
import type { CustomerFeatures, FeatureStoreOptions, FeatureUpdate } from './types.js';
import { assertUpdate } from './validate.js';

/**
 * Online per-customer features, fed by the message stream. The pool belongs to the caller (one pool per
 * process, shared with whatever else talks to the database).
 */
export class FeatureStore {
  private readonly schema: string;
  private readonly sql: ReturnType<typeof featureSql>;

  constructor(
    private readonly pool: pg.Pool,
    options: FeatureStoreOptions = {},
  ) {
    this.schema = quoteIdentifier(options.schema ?? 'spine', 'schema');
    this.sql = featureSql(this.schema);
  }

  /** Creates the tables if missing; call once on start. */
  migrate(): Promise<void> {
    return migrate(this.pool, this.schema);
  }

  /**
   * Applies the event to the customer's aggregates exactly once (keyed by eventId) and returns the features as
   * of this event. A redelivery changes nothing and returns what the first delivery returned.
   */
  async applyAndRead(update: FeatureUpdate): Promise<CustomerFeatures> {
    assertUpdate(update); // async method, so bad input rejects the promise like every other failure
    const { eventId, customerId, occurredAt, bodyLength, orderAmount } = update;
    return withTransaction(this.pool, async (client) => {
      // Kafka keys by customer, so one instance normally owns a customer; the lock keeps this correct during
      // rebalances too, when two instances can briefly hold the same partition.
      await client.query(this.sql.ensureCustomer, [customerId]);
      await client.query(this.sql.lockCustomer, [customerId]);

      const inserted = await client.query<FeaturesRow>(this.sql.insertEvent, [
        eventId,
        customerId,
        occurredAt,
        bodyLength,
        orderAmount,
      ]);
      const applied = inserted.rows[0];
      if (applied) {
        await client.query(this.sql.addToAggregate, [customerId, bodyLength, orderAmount, occurredAt]);
        return toFeatures(applied);
      }
      return this.readApplied(client, update);
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

  /** The stored answer for an event applied before (a redelivery). */
  private async readApplied(client: pg.PoolClient, update: FeatureUpdate): Promise<CustomerFeatures> {
    const result = await client.query<FeaturesRow & { customer_id: string }>(this.sql.selectAppliedEvent, [
      update.eventId,
    ]);
    const row = result.rows[0];
    if (!row) throw new Error(`event ${update.eventId} neither inserted nor found; this is a bug`);
    // Same id, different customer: the producer reused an id. Refuse rather than report someone else's features.
    if (row.customer_id !== update.customerId) {
      throw new Error(
        `event ${update.eventId} was already applied for customer ${row.customer_id}, not ${update.customerId}`,
      );
    }
    return toFeatures(row);
  }
}
