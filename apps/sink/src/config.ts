/** Environment the sink service reads; everything else (Kafka, registry, topics) is the runtime's. */

export const SERVICE_NAME = 'sink';

/** PostgreSQL connection string; required: results are stored there. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    throw new Error(
      `${SERVICE_NAME}: DATABASE_URL is not set. Triage results are stored in PostgreSQL; ` +
        'set DATABASE_URL, e.g. postgres://spine:spine@localhost:5432/spine',
    );
  }
  return url;
}

/** PostgreSQL schema holding Spine's tables (SPINE_DB_SCHEMA, default `spine`). */
export function databaseSchema(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPINE_DB_SCHEMA?.trim() || 'spine';
}
