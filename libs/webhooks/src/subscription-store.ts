import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SecretBox } from './secret-box.js';
import { newSigningSecret } from './signer.js';
import type { SubscriptionFilter, SubscriptionInput } from './subscription-input.js';

/** A subscription as the API shows it: never its secret. */
export interface Subscription {
  readonly id: string;
  readonly url: string;
  readonly topics: readonly string[];
  readonly filter: SubscriptionFilter;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly createdAt: string;
}

interface SubscriptionRow {
  id: string;
  url: string;
  result_topics: string[];
  entity_keys: string[];
  field_filters: Array<{ path: string[]; equals: string }>;
  description: string | null;
  enabled: boolean;
  created_at: Date;
}

const VIEW_COLUMNS = 'id, url, result_topics, entity_keys, field_filters, description, enabled, created_at';

/** Webhook subscriptions in PostgreSQL. The signing secret is generated here, sealed at rest, and returned once. */
export class SubscriptionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly secrets: SecretBox,
  ) {}

  /** Stores a new subscription; the only answer that ever carries its secret. */
  async create(input: SubscriptionInput): Promise<Subscription & { secret: string }> {
    const secret = newSigningSecret();
    const fieldFilters = Object.entries(input.filter.fields).map(([path, equals]) => ({ path: path.split('.'), equals }));
    const { rows } = await this.pool.query<SubscriptionRow>(
      `INSERT INTO ${this.schema}.webhook_subscriptions (id, url, result_topics, entity_keys, field_filters, secret, enabled, description)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) RETURNING ${VIEW_COLUMNS}`,
      [randomUUID(), input.url, input.resultTopics, input.filter.entityKeys, JSON.stringify(fieldFilters), this.secrets.seal(secret), input.enabled, input.description],
    );
    return { ...view(rows[0]!), secret };
  }

  async list(): Promise<Subscription[]> {
    const { rows } = await this.pool.query<SubscriptionRow>(`SELECT ${VIEW_COLUMNS} FROM ${this.schema}.webhook_subscriptions ORDER BY created_at, id`);
    return rows.map(view);
  }

  async get(id: string): Promise<Subscription | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.pool.query<SubscriptionRow>(`SELECT ${VIEW_COLUMNS} FROM ${this.schema}.webhook_subscriptions WHERE id = $1`, [id]);
    return rows[0] && view(rows[0]);
  }

  /** Deletes the subscription and its deliveries (pending ones are never sent). False when there was none. */
  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.pool.query(`DELETE FROM ${this.schema}.webhook_subscriptions WHERE id = $1`, [id]);
    return (result.rowCount ?? 0) > 0;
  }
}

function view(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    url: row.url,
    topics: row.result_topics,
    filter: { entityKeys: row.entity_keys, fields: Object.fromEntries(row.field_filters.map((f) => [f.path.join('.'), f.equals])) },
    description: row.description,
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
  };
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
