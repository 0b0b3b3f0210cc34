import type pg from 'pg';
import { migrateSchema } from '@spine/postgres';
import { addStreamColumns } from './stream-columns.js';

/**
 * Creates the schema and AI results table if missing; safe on every start and from several instances at once.
 * `schema` and `table` must already be quoted (see quoteIdentifier).
 */
export async function migrate(pool: pg.Pool, schema: string, table: string): Promise<void> {
  await migrateSchema(pool, schema, async (client) => {
    // One table for every domain's results: the envelope in columns (what every result has), the result
    // itself as jsonb, so a new domain's results need no migration.
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.${table} (
        event_id uuid NOT NULL,
        result_topic text NOT NULL,
        entity_key text,
        correlation_id text NOT NULL,
        model_name text NOT NULL,
        model_version text NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        result jsonb NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        trace_id text,
        source_topic text,
        source_partition integer,
        source_offset bigint,
        PRIMARY KEY (event_id, result_topic)
      )`);
    await client.query(`CREATE INDEX IF NOT EXISTS ${table.replace(/"$/, '_entity"')} ON ${schema}.${table} (entity_key, stored_at)`);
    await addStreamColumns(client, schema, table);
  });
}
