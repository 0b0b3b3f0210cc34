/** PostgreSQL settings every Spine service reads the same way. */

/** DATABASE_URL, required: the error names the service and what it needs the database for. */
export function databaseUrl(service: string, purpose: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    throw new Error(`${service}: DATABASE_URL is not set. ${purpose}; set DATABASE_URL, e.g. postgres://spine:spine@localhost:5432/spine`);
  }
  return url;
}

/** PostgreSQL schema holding Spine's tables (SPINE_DB_SCHEMA, default `spine`). */
export function databaseSchema(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPINE_DB_SCHEMA?.trim() || 'spine';
}
