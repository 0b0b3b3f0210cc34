import type pg from 'pg';
import { migrateSchema } from '@spine/postgres';

/**
 * Creates the webhook tables if missing; safe on every start and from several instances at once.
 * `schema` must already be quoted (quoteIdentifier).
 */
export async function migrateWebhooks(pool: pg.Pool, schema: string): Promise<void> {
  await migrateSchema(pool, schema, async (client) => {
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.webhook_subscriptions (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        result_topics text[] NOT NULL,
        entity_keys text[] NOT NULL DEFAULT '{}',
        field_filters jsonb NOT NULL DEFAULT '[]',
        secret text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        description text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The outbox: one row per (subscription, result), written by the stage, sent by the dispatcher.
    // seq is the result order (per entity, deliveries go out one at a time in seq order); id is the
    // webhook-id receivers deduplicate on, the same on every retry; result is the body's `result`.
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL,
        subscription_id uuid NOT NULL REFERENCES ${schema}.webhook_subscriptions (id) ON DELETE CASCADE,
        result_topic text NOT NULL,
        event_id uuid NOT NULL,
        entity_key text NOT NULL,
        result jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease uuid,
        leased_until timestamptz,
        last_attempt_at timestamptz,
        last_status integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        dead_at timestamptz,
        UNIQUE (subscription_id, result_topic, event_id)
      )`);
    await client.query(`CREATE INDEX IF NOT EXISTS webhook_deliveries_queue ON ${schema}.webhook_deliveries (subscription_id, seq) WHERE status = 'pending'`);
    await client.query(`CREATE INDEX IF NOT EXISTS webhook_deliveries_heads ON ${schema}.webhook_deliveries (subscription_id, entity_key, seq) WHERE status = 'pending'`);
    await client.query(`CREATE INDEX IF NOT EXISTS webhook_deliveries_dead ON ${schema}.webhook_deliveries (subscription_id, seq) WHERE status = 'dead'`);
    await client.query(`CREATE INDEX IF NOT EXISTS webhook_deliveries_delivered ON ${schema}.webhook_deliveries (delivered_at) WHERE status = 'delivered'`);
  });
}
