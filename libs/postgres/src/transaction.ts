import type pg from 'pg';

/** Runs `work` in a transaction on one pooled client: COMMIT if it resolves, ROLLBACK if it throws. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is in an unknown state: release it as broken so the pool drops it
    // instead of handing a half-open transaction to the next caller.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs a migration of a schema: one transaction that creates the schema if missing, serialized with every
 * other migration of the same schema (every store of a schema migrates through here), because concurrent
 * CREATE ... IF NOT EXISTS can still fail on a catalog unique index. `schema` must already be quoted.
 */
export function migrateSchema(pool: pg.Pool, schema: string, migrate: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`spine.migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await migrate(client);
  });
}
