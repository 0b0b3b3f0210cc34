import type pg from 'pg';
import { migrateSchema, quoteIdentifier } from '@spine/postgres';
import type { SeriesId } from './drift-tracker.js';
import type { FieldKind, Observation } from './observation.js';

/** A complete reference window of one series, as stored. */
export interface StoredReference {
  readonly id: SeriesId;
  readonly kind: FieldKind;
  readonly values: readonly Observation[];
  /** When the series was last armed (its reference stored, or PSI back under bound / 2 after a drift). */
  readonly rearmedAt?: Date | null;
}

/** A series armed again after a reported drift, at `at`. */
export interface Rearmed {
  readonly id: SeriesId;
  readonly at: Date;
}

export interface DriftReferenceStoreOptions {
  /** PostgreSQL schema (SPINE_DB_SCHEMA; default `spine`). */
  readonly schema?: string;
  readonly table?: string;
}

interface ReferenceRow {
  topic: string;
  field: string;
  model_version: string;
  kind: FieldKind;
  observed: Observation[];
  rearmed_at: Date | null;
}

/**
 * Reference windows in PostgreSQL, so a restarted drift detector keeps judging against what the model was trained
 * on instead of re-learning from whatever arrives next (possibly drifted data). One row per deployment scope
 * (the topic prefix), topic, field and model version: the window's values as a JSON array (a few KB).
 */
export class DriftReferenceStore {
  private readonly schema: string;
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    options: DriftReferenceStoreOptions = {},
  ) {
    this.schema = quoteIdentifier(options.schema ?? 'spine', 'schema');
    this.table = `${this.schema}.${quoteIdentifier(options.table ?? 'drift_references', 'table')}`;
  }

  /** Creates the schema and table if missing; safe on every start. */
  async migrate(): Promise<void> {
    await migrateSchema(this.pool, this.schema, async (client) => {
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          scope text NOT NULL,
          topic text NOT NULL,
          field text NOT NULL,
          model_version text NOT NULL,
          kind text NOT NULL CHECK (kind IN ('numeric', 'categorical')),
          observed jsonb NOT NULL,
          stored_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (scope, topic, field, model_version)
        )`);
      // When the series was last armed, to tell at a restart whether its last reported drift has ended.
      await client.query(`ALTER TABLE ${this.table} ADD COLUMN IF NOT EXISTS rearmed_at timestamptz`);
    });
  }

  /** Every reference of a deployment scope (the topic prefix). */
  async loadAll(scope: string): Promise<StoredReference[]> {
    const result = await this.pool.query<ReferenceRow>(`SELECT topic, field, model_version, kind, observed, rearmed_at FROM ${this.table} WHERE scope = $1`, [scope]);
    return result.rows.map((row) => ({ id: { topic: row.topic, field: row.field, version: row.model_version === '' ? null : row.model_version }, kind: row.kind, values: row.observed, rearmedAt: row.rearmed_at }));
  }

  /** Stores references (replacing a series' earlier one; a new reference is armed), in one statement. */
  async saveAll(scope: string, references: readonly StoredReference[]): Promise<void> {
    if (references.length === 0) return;
    await this.pool.query(
      `INSERT INTO ${this.table} (scope, topic, field, model_version, kind, observed, rearmed_at)
       SELECT $1, t.topic, t.field, t.model_version, t.kind, t.observed::jsonb, now()
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(topic, field, model_version, kind, observed)
       ON CONFLICT (scope, topic, field, model_version) DO UPDATE SET kind = EXCLUDED.kind, observed = EXCLUDED.observed, stored_at = now(), rearmed_at = now()`,
      [
        scope,
        references.map((r) => r.id.topic),
        references.map((r) => r.id.field),
        references.map((r) => r.id.version ?? ''),
        references.map((r) => r.kind),
        references.map((r) => JSON.stringify(r.values)),
      ],
    );
  }

  /** Records that series were armed again (a later time wins), in one statement. */
  async saveRearmed(scope: string, rearmed: readonly Rearmed[]): Promise<void> {
    if (rearmed.length === 0) return;
    await this.pool.query(
      `UPDATE ${this.table} AS r SET rearmed_at = GREATEST(r.rearmed_at, t.at)
       FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS t(topic, field, model_version, at)
       WHERE r.scope = $1 AND r.topic = t.topic AND r.field = t.field AND r.model_version = t.model_version`,
      [scope, rearmed.map((r) => r.id.topic), rearmed.map((r) => r.id.field), rearmed.map((r) => r.id.version ?? ''), rearmed.map((r) => r.at)],
    );
  }

  /** Forgets a scope's references (for an operator who wants the detector to learn new ones). */
  async deleteAll(scope: string): Promise<number> {
    const result = await this.pool.query(`DELETE FROM ${this.table} WHERE scope = $1`, [scope]);
    return result.rowCount ?? 0;
  }
}
