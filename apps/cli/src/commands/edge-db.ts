import pg from 'pg';
import { databaseSchema, databaseUrl } from '@spine/postgres';

/** Runs `work` with a small pool on DATABASE_URL and the deployment's schema (SPINE_DB_SCHEMA), closed after. */
export async function withDatabase<T>(work: (pool: pg.Pool, schema: string) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: databaseUrl('spine-cli', 'API keys, the audit log and the stores to erase live in PostgreSQL'), max: 2, application_name: 'spine-cli' });
  try {
    return await work(pool, databaseSchema());
  } finally {
    await pool.end();
  }
}
