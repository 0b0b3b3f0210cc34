import type pg from 'pg';
import { migrateSchema } from '@spine/postgres';

/**
 * Creates the schema and cache table if missing; safe on every start and from several instances at once.
 * `schema` and `table` must already be quoted (see quoteIdentifier), `index` too.
 */
export async function migrate(pool: pg.Pool, schema: string, table: string, index: string): Promise<void> {
  await migrateSchema(pool, schema, async (client) => {
    // One row per (model, version, input hash): a new model version never reads an old version's answers.
    // stored_at is the writer's clock: the TTL and the size bound both go by it.
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.${table} (
        model text NOT NULL,
        version text NOT NULL,
        input_hash text NOT NULL,
        output jsonb NOT NULL,
        stored_at timestamptz NOT NULL,
        PRIMARY KEY (model, version, input_hash)
      )`);
    // Prune finds the expired and the oldest entries by it.
    await client.query(`CREATE INDEX IF NOT EXISTS ${index} ON ${schema}.${table} (stored_at)`);
  });
}
