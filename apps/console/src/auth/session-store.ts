import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { isScope, type Principal } from '@spine/edge';
import { migrateSchema, quoteIdentifier } from '@spine/postgres';

/** A logged-in operator: who (never the key itself), the CSRF token the page sends back, and until when. */
export interface ConsoleSession {
  /** The cookie's value. Only its SHA-256 digest is stored, like API keys': the table alone logs no one in. */
  readonly id: string;
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

interface SessionRow {
  principal: { id: string; kind: Principal['kind']; name: string; scopes: string[] };
  csrf_token: string;
  expires_at: Date;
}

/**
 * Console sessions in PostgreSQL (table `console_sessions` of the deployment's schema), so every replica of the
 * console knows every session and a restart logs no one out: an opaque random id (256 bits) per log-in, a CSRF
 * token of its own, a sliding expiry (`ttlMs`, renewed by use, in the same statement that reads it). Log-out
 * on one replica ends the session on all.
 */
export class SessionStore {
  private readonly schema: string;
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly ttlMs: number,
  ) {
    this.schema = quoteIdentifier(schema, 'schema');
    this.table = `${this.schema}.console_sessions`;
  }

  async migrate(): Promise<void> {
    await migrateSchema(this.pool, this.schema, async (client) => {
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          id_hash bytea PRIMARY KEY,
          principal jsonb NOT NULL,
          csrf_token text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL
        )`);
      await client.query(`CREATE INDEX IF NOT EXISTS console_sessions_expires_at ON ${this.table} (expires_at)`);
    });
  }

  async create(principal: Principal): Promise<ConsoleSession> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE expires_at <= now()`);
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const stored = { id: principal.id, kind: principal.kind, name: principal.name, scopes: [...principal.scopes] };
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `INSERT INTO ${this.table} (id_hash, principal, csrf_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING expires_at`,
      [digest(id), JSON.stringify(stored), csrfToken, this.ttlMs / 1000],
    );
    return { id, principal, csrfToken, expiresAt: rows[0]!.expires_at };
  }

  /** The live session of this id, its expiry renewed; undefined when there is none or it expired. */
  async get(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (!id || id.length > 128) return undefined;
    const { rows } = await this.pool.query<SessionRow>(
      `UPDATE ${this.table} SET expires_at = now() + make_interval(secs => $2) WHERE id_hash = $1 AND expires_at > now() RETURNING principal, csrf_token, expires_at`,
      [digest(id), this.ttlMs / 1000],
    );
    const row = rows[0];
    if (!row) return undefined;
    const principal: Principal = { id: row.principal.id, kind: row.principal.kind, name: row.principal.name, scopes: new Set(row.principal.scopes.filter(isScope)) };
    return { id, principal, csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  async delete(id: string | undefined): Promise<void> {
    if (id) await this.pool.query(`DELETE FROM ${this.table} WHERE id_hash = $1`, [digest(id)]);
  }

  /** Constant-time comparison of the token a request sent with its session's. */
  static sameToken(session: ConsoleSession, sent: string | undefined): boolean {
    if (!sent) return false;
    const a = Buffer.from(session.csrfToken);
    const b = Buffer.from(sent);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

function digest(id: string): Buffer {
  return createHash('sha256').update(id).digest();
}
