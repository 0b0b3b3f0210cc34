import type pg from 'pg';
import { withTransaction } from '@spine/postgres';

/**
 * Creates the schema and results table if missing; safe on every start and from several instances at once.
 * `schema` and `table` must already be quoted (see quoteIdentifier).
 */
export async function migrate(pool: pg.Pool, schema: string, table: string): Promise<void> {
  await withTransaction(pool, async (client) => {
    // Concurrent CREATE ... IF NOT EXISTS can still fail on a catalog unique index, so migrations of one
    // schema take turns. Same key as @spine/feature-store, which creates the same schema.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`spine.migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // Sentiment, intent and priority are text, not enums or CHECKs: they mirror Avro enums that may gain
    // symbols (intent has a default for exactly that), and the sink must not start failing when they do.
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.${table} (
        event_id uuid PRIMARY KEY,
        customer_id text NOT NULL,
        correlation_id text NOT NULL,
        sentiment text NOT NULL,
        sentiment_score double precision NOT NULL,
        intent text NOT NULL,
        intent_confidence double precision NOT NULL,
        priority text NOT NULL,
        model_name text NOT NULL,
        model_version text NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        inferred_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        trace_id text,
        source_topic text,
        source_partition integer,
        source_offset bigint
      )`);
  });
}
