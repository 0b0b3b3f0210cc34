/** PostgreSQL settings every Spine service reads the same way. */

/** DATABASE_URL, required: the error names the service and what it needs the database for. */
export function databaseUrl(service: string, purpose: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    throw new Error(`${service}: DATABASE_URL is not set. ${purpose}; set DATABASE_URL, e.g. postgres://spine:spine@localhost:5432/spine`);
  }
  return url;
}

/**
 * For a service's main, before it connects to anything: exits with the reason when DATABASE_URL is missing (the
 * message names the service and what it keeps in PostgreSQL), so a misconfigured process fails fast and clearly.
 */
export function requireDatabaseUrl(service: { readonly name: string; readonly database?: string }, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return databaseUrl(service.name, service.database ?? 'It keeps its state in PostgreSQL', env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

/** PostgreSQL schema holding Spine's tables (SPINE_DB_SCHEMA, default `spine`). */
export function databaseSchema(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPINE_DB_SCHEMA?.trim() || 'spine';
}
