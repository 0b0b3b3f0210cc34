import type pg from 'pg';
import { migrateSchema } from '@spine/postgres';

/**
 * Creates the schema, tables and index if missing; safe to run on every start and from several instances at once.
 * `schema` must already be quoted (see quoteIdentifier).
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  await migrateSchema(pool, schema, async (client) => {
    // One row per event ever applied: the primary key is what makes application exactly-once, and the rows are
    // what "features as of an event" are computed from, whatever order events arrive in.
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.feature_events (
        event_id uuid PRIMARY KEY,
        customer_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        body_length integer NOT NULL CHECK (body_length >= 0),
        order_amount numeric(14,2),
        -- The features returned the first time this event was applied. A redelivery returns these, so it sees
        -- exactly what the first delivery saw even if late events for the customer arrived in between.
        as_of_messages_total bigint NOT NULL,
        as_of_messages_last_24h integer NOT NULL,
        as_of_body_length_sum bigint NOT NULL,
        as_of_previous_contact_at timestamptz,
        as_of_lifetime_order_amount numeric(14,2) NOT NULL,
        -- Order of application. Per customer it is commit order (application is serialized by the row lock on
        -- customer_features), so replaying rows by applied_seq reproduces what every event saw.
        applied_seq bigint GENERATED ALWAYS AS IDENTITY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Serves the per-customer range scans behind "as of this event" and the 24h window.
    await client.query(
      `CREATE INDEX IF NOT EXISTS feature_events_customer_time_idx
         ON ${schema}.feature_events (customer_id, occurred_at, event_id)`,
    );
    // Running totals, so read() costs one row lookup; also the row each customer's updates lock.
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.customer_features (
        customer_id text PRIMARY KEY,
        messages_total bigint NOT NULL DEFAULT 0,
        body_length_sum bigint NOT NULL DEFAULT 0,
        lifetime_order_amount numeric(14,2) NOT NULL DEFAULT 0,
        last_contact_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  });
}
