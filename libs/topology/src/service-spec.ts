/** One process of the platform: an app under apps/<name>, its port, and what it needs. */
export interface ServiceSpec {
  readonly name: string;
  readonly description: string;
  /** Default port (business API and ops endpoints); override with SPINE_<NAME>_PORT locally, PORT in a container. */
  readonly port: number;
  /** Why it needs PostgreSQL (DATABASE_URL), when it does; shown when the variable is missing. */
  readonly database?: string;
  /** Serves a business HTTP API besides the ops endpoints (OpenAPI at /docs). */
  readonly api?: string;
}
