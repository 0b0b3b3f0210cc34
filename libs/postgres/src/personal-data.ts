import type pg from 'pg';
import { quoteIdentifier } from './sql-identifier.js';
import { withTransaction } from './transaction.js';

/** Anything that runs a query: a pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** How one table finds a customer's rows: a column equal to the customer id, or a text field of a jsonb column. */
export type CustomerMatch = { readonly column: string } | { readonly jsonColumn: string; readonly field: string };

/**
 * What a store holds about customers, declared once by the store itself: its tables and how each finds a
 * customer's rows. The store's own `eraseCustomer` executes it, and it is recorded in the database
 * (`<schema>.personal_data_stores`) when the store migrates, so an erasure run by any process (the sink's
 * `DELETE /v1/customers/:id`, `spine-cli erase`) finds every store that exists in the schema with no list of
 * stores anywhere in code.
 */
export interface PersonalDataDeclaration {
  /** Unique per store, e.g. `support.customer-features`. */
  readonly store: string;
  readonly description: string;
  /** Unquoted table names in the store's schema, each with the ways it matches a customer (OR-ed). */
  readonly tables: ReadonlyArray<{ readonly table: string; readonly match: readonly CustomerMatch[] }>;
}

/** The contract every store holding personal data implements. */
export interface PersonalDataStore {
  readonly personalData: PersonalDataDeclaration;
  /** Deletes every row of the customer; returns how many. */
  eraseCustomer(customerId: string, db?: Queryable): Promise<number>;
}

/** Rows erased from one table. */
export interface ErasedTable {
  readonly store: string;
  readonly table: string;
  readonly rows: number;
  /** The table does not exist (declared by an older version, or dropped): nothing to erase there. */
  readonly missing?: true;
}

const CATALOG = 'personal_data_stores';

/**
 * Creates the catalog table if missing. `schema` unquoted. A handful of rows, written only by
 * declarePersonalData under the schema's migration lock (which keeps `store` unique), so it needs no index.
 */
export async function createPersonalDataCatalog(db: Queryable, schema: string): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${quoteIdentifier(schema, 'schema')}.${CATALOG} (
    store text NOT NULL,
    declaration jsonb NOT NULL,
    declared_at timestamptz NOT NULL DEFAULT now()
  )`);
}

/**
 * Records (or updates) a store's declaration in its schema's catalog; idempotent, run on every migration.
 * Takes the schema's migration lock (the stores' migrations use the same key), so concurrent starts take turns.
 */
export async function declarePersonalData(pool: pg.Pool, schema: string, declaration: PersonalDataDeclaration): Promise<void> {
  assertDeclaration(declaration);
  const quoted = quoteIdentifier(schema, 'schema');
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`spine.migrate:${quoted}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await createPersonalDataCatalog(client, schema);
    const json = JSON.stringify(declaration);
    const same = await client.query(`SELECT 1 FROM ${quoted}.${CATALOG} WHERE store = $1 AND declaration = $2::jsonb`, [declaration.store, json]);
    if (same.rowCount === 1) return; // unchanged: the usual case on a restart
    await client.query(`DELETE FROM ${quoted}.${CATALOG} WHERE store = $1`, [declaration.store]);
    await client.query(`INSERT INTO ${quoted}.${CATALOG} (store, declaration) VALUES ($1, $2::jsonb)`, [declaration.store, json]);
  });
}

/** Every declaration recorded in the schema, by store name. */
export async function declaredPersonalData(db: Queryable, schema: string): Promise<PersonalDataDeclaration[]> {
  const exists = await db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${quoteIdentifier(schema, 'schema')}.${CATALOG}`]);
  if (!exists.rows[0]?.t) return [];
  const { rows } = await db.query<{ declaration: PersonalDataDeclaration }>(`SELECT declaration FROM ${quoteIdentifier(schema, 'schema')}.${CATALOG} ORDER BY store`);
  return rows.map((r) => r.declaration);
}

/**
 * Deletes the customer's rows from every table of the declaration: one DELETE per table, the table's matches
 * OR-ed, the customer id (and json field names) bound as parameters. Identifiers are checked, so a tampered
 * catalog row cannot inject SQL. A table that does not exist is reported as missing.
 */
export async function erasePersonalData(db: Queryable, schema: string, declaration: PersonalDataDeclaration, customerId: string): Promise<ErasedTable[]> {
  assertDeclaration(declaration);
  const out: ErasedTable[] = [];
  for (const { table, match } of declaration.tables) {
    const qualified = `${quoteIdentifier(schema, 'schema')}.${quoteIdentifier(table, 'table')}`;
    const exists = await db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [qualified]);
    if (!exists.rows[0]?.t) {
      out.push({ store: declaration.store, table, rows: 0, missing: true });
      continue;
    }
    const params: unknown[] = [customerId];
    const conditions = match.map((m) => {
      if ('column' in m) return `${quoteIdentifier(m.column, 'column')} = $1`;
      params.push(m.field);
      return `${quoteIdentifier(m.jsonColumn, 'column')}->>$${params.length} = $1`;
    });
    const result = await db.query(`DELETE FROM ${qualified} WHERE ${conditions.join(' OR ')}`, params);
    out.push({ store: declaration.store, table, rows: result.rowCount ?? 0 });
  }
  return out;
}

function assertDeclaration(declaration: PersonalDataDeclaration): void {
  if (!declaration?.store || !Array.isArray(declaration.tables) || declaration.tables.length === 0) {
    throw new Error(`invalid personal-data declaration ${JSON.stringify(declaration?.store)}: it needs a store name and at least one table`);
  }
  for (const { table, match } of declaration.tables) {
    quoteIdentifier(table, 'table');
    if (!Array.isArray(match) || match.length === 0) throw new Error(`personal-data declaration ${declaration.store}: table ${table} has no customer match`);
    for (const m of match) quoteIdentifier('column' in m ? m.column : m.jsonColumn, 'column');
  }
}
