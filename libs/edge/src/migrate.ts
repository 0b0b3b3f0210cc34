import type pg from 'pg';
import { quoteIdentifier, migrateSchema } from '@spine/postgres';

/**
 * Creates the edge's tables in `schema` if missing: API keys, idempotency keys, the audit log (append-only:
 * a trigger refuses UPDATE, DELETE and TRUNCATE). Safe on every start and from several processes at once
 * (same advisory lock key as the stores' migrations of the schema).
 */
export async function migrateEdge(pool: pg.Pool, schemaName: string): Promise<void> {
  const schema = quoteIdentifier(schemaName, 'schema');
  await migrateSchema(pool, schema, async (client) => {
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.api_keys (
        id text PRIMARY KEY,
        name text NOT NULL,
        scopes text[] NOT NULL,
        key_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        revoked_at timestamptz,
        revoked_by text
      )`);
    // One row per (credential, Idempotency-Key) for the retention window. state: in_progress (a request holds
    // the lease until locked_until), open (the last attempt failed with a 5xx: a retry may take it, reusing
    // event_ids), done (status and response are the answer every retry gets).
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.idempotency_keys (
        principal text NOT NULL,
        key text NOT NULL,
        request_hash bytea NOT NULL,
        event_ids text[] NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'open', 'done')),
        locked_until timestamptz,
        status integer,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (principal, key)
      )`);
    await client.query(`CREATE INDEX IF NOT EXISTS idempotency_keys_expires_idx ON ${schema}.idempotency_keys (expires_at)`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        service text
      )`);
    await client.query(`
      CREATE OR REPLACE FUNCTION ${schema}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // Created once (a DROP + CREATE on every start would take an exclusive lock on the table each time).
    await client.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'audit_log_append_only' AND tgrelid = '${schema}.audit_log'::regclass) THEN
          CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON ${schema}.audit_log
            FOR EACH ROW EXECUTE FUNCTION ${schema}.audit_log_append_only();
          CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON ${schema}.audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.audit_log_append_only();
        END IF;
      END $$`);
  });
}

/** SQLSTATE 42P01: the table does not exist (nothing migrated the schema yet). */
export function isUndefinedTable(error: unknown): boolean {
  return (error as { code?: unknown })?.code === '42P01';
}
