import type pg from 'pg';
import { quoteIdentifier, withTransaction } from '@spine/postgres';
import { AUDIT_ACTIONS, AuditLog } from '../audit/audit-log.js';
import { isUndefinedTable, migrateEdge } from '../migrate.js';
import { isScope, type Scope } from '../scopes.js';
import { generateApiKey } from './key-format.js';

/** A stored key as `keys list` shows it: never the secret, never the hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly scopes: Scope[];
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly revokedAt: Date | null;
  readonly revokedBy: string | null;
}

/** What the authenticator needs to verify a presented key. */
export interface ApiKeyCredential {
  readonly id: string;
  readonly name: string;
  readonly scopes: Scope[];
  readonly hash: Buffer;
  readonly revoked: boolean;
}

interface KeyRow {
  id: string;
  name: string;
  scopes: string[];
  key_hash: Buffer;
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const NAME = /^[\p{L}\p{N} ._:@/-]{1,100}$/u;

/** API keys in PostgreSQL (`<schema>.api_keys`): created, listed and revoked by operators, every change audited. */
export class ApiKeyStore {
  private readonly table: string;
  private readonly audit: AuditLog;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { schema: string },
  ) {
    this.table = `${quoteIdentifier(options.schema, 'schema')}.api_keys`;
    this.audit = new AuditLog(pool, options);
  }

  migrate(): Promise<void> {
    return migrateEdge(this.pool, this.options.schema);
  }

  /** Creates a key; the plaintext is returned this once and stored only as its SHA-256. */
  async create(input: { name: string; scopes: readonly Scope[]; actor: string; service?: string }): Promise<{ key: string; info: ApiKeyInfo }> {
    if (!NAME.test(input.name)) throw new RangeError(`key name must be 1-100 letters, digits, spaces or . _ : @ / -; got ${JSON.stringify(input.name)}`);
    const scopes = [...new Set(input.scopes)];
    if (!scopes.length || !scopes.every(isScope)) throw new RangeError(`a key needs at least one known scope; got ${JSON.stringify(input.scopes)}`);
    return withTransaction(this.pool, async (client) => {
      const generated = generateApiKey();
      const { rows } = await client.query<KeyRow>(
        `INSERT INTO ${this.table} (id, name, scopes, key_hash, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [generated.id, input.name, scopes, generated.hash, input.actor],
      );
      const info = toInfo(rows[0]!);
      await this.audit.append({ actor: input.actor, action: AUDIT_ACTIONS.apiKeyCreate, target: info.id, details: { name: info.name, scopes }, service: input.service ?? null }, client);
      return { key: generated.key, info };
    });
  }

  async list(): Promise<ApiKeyInfo[]> {
    const { rows } = await this.pool.query<KeyRow>(`SELECT * FROM ${this.table} ORDER BY created_at, id`);
    return rows.map(toInfo);
  }

  /** Revokes a key (kept, marked revoked, for the record); undefined when there is no such key. Revoking twice is a no-op. */
  async revoke(id: string, actor: string, service?: string): Promise<ApiKeyInfo | undefined> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<KeyRow>(
        `UPDATE ${this.table} SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2) WHERE id = $1 RETURNING *`,
        [id, actor],
      );
      const row = rows[0];
      if (!row) return undefined;
      await this.audit.append({ actor, action: AUDIT_ACTIONS.apiKeyRevoke, target: id, details: { name: row.name }, service: service ?? null }, client);
      return toInfo(row);
    });
  }

  /** The stored credential of a key id, or undefined (unknown id, or no key table in this schema yet). */
  async credential(id: string): Promise<ApiKeyCredential | undefined> {
    try {
      const { rows } = await this.pool.query<KeyRow>(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
      const row = rows[0];
      return row && { id: row.id, name: row.name, scopes: row.scopes.filter(isScope), hash: row.key_hash, revoked: row.revoked_at !== null };
    } catch (error) {
      if (isUndefinedTable(error)) return undefined;
      throw error;
    }
  }
}

function toInfo(row: KeyRow): ApiKeyInfo {
  return { id: row.id, name: row.name, scopes: row.scopes.filter(isScope), createdAt: row.created_at, createdBy: row.created_by, revokedAt: row.revoked_at, revokedBy: row.revoked_by };
}
