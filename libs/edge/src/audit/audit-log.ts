import { hostname, userInfo } from 'node:os';
import type pg from 'pg';
import { quoteIdentifier, type Queryable } from '@spine/postgres';
import { migrateEdge } from '../migrate.js';

/** Actions Spine records; other engineers' admin features use theirs (replays, redrives, subscriptions, models). */
export const AUDIT_ACTIONS = {
  apiKeyCreate: 'api-key.create',
  apiKeyRevoke: 'api-key.revoke',
  customerErase: 'customer.erase',
  stageReplay: 'stage.replay',
  deadLetterRedrive: 'dead-letter.redrive',
  subscriptionChange: 'subscription.change',
  modelPromote: 'model.promote',
} as const;

export interface AuditEntry {
  /** Who: a principal (`describePrincipal`) or an operator (`cliActor()`). */
  readonly actor: string;
  /** What: `<noun>.<verb>`, e.g. `api-key.revoke` (see AUDIT_ACTIONS). */
  readonly action: string;
  /** On what: a key id, a customer id, a stage, ... */
  readonly target?: string | null;
  /** Anything else worth keeping (never secrets). */
  readonly details?: Record<string, unknown>;
  /** Which process recorded it. */
  readonly service?: string | null;
}

export interface AuditRecord extends Required<AuditEntry> {
  readonly id: string;
  /** When: the database clock at commit time of the action. */
  readonly at: Date;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  service: string | null;
}

/**
 * The append-only log of administrative actions, in PostgreSQL (`<schema>.audit_log`; a trigger refuses
 * UPDATE, DELETE and TRUNCATE). Append inside the action's own transaction (pass its client) so an action
 * and its record commit together or not at all.
 */
export class AuditLog {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { schema: string },
  ) {
    this.table = `${quoteIdentifier(options.schema, 'schema')}.audit_log`;
  }

  migrate(): Promise<void> {
    return migrateEdge(this.pool, this.options.schema);
  }

  async append(entry: AuditEntry, db: Queryable = this.pool): Promise<AuditRecord> {
    if (!entry.actor?.trim() || !/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/.test(entry.action ?? '')) {
      throw new RangeError(`an audit entry needs an actor and an action like "api-key.revoke"; got ${JSON.stringify({ actor: entry.actor, action: entry.action })}`);
    }
    const { rows } = await db.query<AuditRow>(
      `INSERT INTO ${this.table} (actor, action, target, details, service) VALUES ($1, $2, $3, $4::jsonb, $5)
       RETURNING id, at, actor, action, target, details, service`,
      [entry.actor, entry.action, entry.target ?? null, JSON.stringify(entry.details ?? {}), entry.service ?? null],
    );
    return toRecord(rows[0]!);
  }

  /** The newest entries first (default 50, at most 10,000), optionally of one action. */
  async list(options: { limit?: number; action?: string } = {}): Promise<AuditRecord[]> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 10_000);
    const { rows } = await this.pool.query<AuditRow>(
      `SELECT id, at, actor, action, target, details, service FROM ${this.table}
        WHERE $2::text IS NULL OR action = $2 ORDER BY id DESC LIMIT $1`,
      [limit, options.action ?? null],
    );
    return rows.map(toRecord);
  }
}

function toRecord(row: AuditRow): AuditRecord {
  return { id: String(row.id), at: row.at, actor: row.actor, action: row.action, target: row.target, details: row.details, service: row.service };
}

/** The operator running a CLI command: SPINE_ACTOR when set (e.g. from an SSO wrapper), else user@host. */
export function cliActor(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.SPINE_ACTOR?.trim();
  if (explicit) return `operator ${explicit}`;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return `operator ${user}@${hostname()} (spine-cli)`;
}
