import type pg from 'pg';
import { migrateSchema } from '@spine/postgres';

/**
 * Creates the schema, table and indexes if missing; safe on every start and from several instances at once.
 * `schema` and `table` must already be quoted (see quoteIdentifier); `indexPrefix` is the unquoted table name.
 */
export async function migrate(pool: pg.Pool, schema: string, table: string, indexPrefix: string): Promise<void> {
  await migrateSchema(pool, schema, async (client) => {
    // One row per payment ever recorded: the primary key makes recording exactly-once, and the rows are what
    // every history is computed from, whatever order payments arrive in.
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.${table} (
        event_id uuid PRIMARY KEY,
        card_id text NOT NULL,
        customer_id text NOT NULL,
        merchant_id text NOT NULL,
        country text NOT NULL,
        amount numeric(12,2) NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Range scans behind the card's 30-day history and the customer's 24-hour count (and eraseCustomer). The
    // trailing event_id lets the customer count run as an index-only scan despite its "not this event" filter.
    await client.query(
      `CREATE INDEX IF NOT EXISTS "${indexPrefix}_card_time_idx" ON ${schema}.${table} (card_id, occurred_at, event_id)`,
    );
    await client.query(
      `CREATE INDEX IF NOT EXISTS "${indexPrefix}_customer_time_idx"
         ON ${schema}.${table} (customer_id, occurred_at, event_id)`,
    );
  });
}
