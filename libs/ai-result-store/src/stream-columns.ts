import type pg from 'pg';

/** NOTIFY channel of every results table; the payload names the table (`schema.table`). */
export const RESULTS_CHANNEL = 'spine_ai_results';

/**
 * What a resumable stream of results needs, added to new and existing tables alike (idempotent):
 * - `seq`, a monotonic sequence (identity), filled in for rows stored before the column existed;
 * - `tx_id`, the inserting transaction, so a reader only passes rows once every transaction that could
 *   still add an earlier one has ended (sequence values are drawn before commit, so commit order can differ);
 * - a statement-level trigger that NOTIFYs RESULTS_CHANNEL on every insert, for live readers.
 * Adding the columns to an existing table rewrites it once (ACCESS EXCLUSIVE while it runs).
 * `schema` and `table` must be quoted; runs inside the store's migration transaction.
 */
export async function addStreamColumns(client: pg.PoolClient, schema: string, table: string): Promise<void> {
  const regclass = `${schema}.${table}`;
  const { rows } = await client.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attname IN ('seq', 'tx_id') AND NOT attisdropped`,
    [regclass],
  );
  const has = new Set(rows.map((r) => r.attname));
  const add = [
    ...(has.has('seq') ? [] : ['ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY']),
    ...(has.has('tx_id') ? [] : ['ADD COLUMN tx_id xid8 NOT NULL DEFAULT pg_current_xact_id()']),
  ];
  if (add.length) await client.query(`ALTER TABLE ${regclass} ${add.join(', ')}`);
  const name = (suffix: string) => table.replace(/"$/, `_${suffix}"`);
  await client.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${name('seq')} ON ${regclass} (seq)`);
  await client.query(`CREATE INDEX IF NOT EXISTS ${name('stream')} ON ${regclass} (tx_id, seq)`);
  await client.query(`CREATE INDEX IF NOT EXISTS ${name('entity_stream')} ON ${regclass} (entity_key, tx_id, seq)`);
  await client.query(`
    CREATE OR REPLACE FUNCTION ${schema}.${name('notify')}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM pg_notify('${RESULTS_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
      RETURN NULL;
    END $fn$`);
  const trigger = await client.query(`SELECT 1 FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2`, [regclass, name('notify').replaceAll('"', '')]);
  if (!trigger.rowCount) {
    await client.query(`CREATE TRIGGER ${name('notify')} AFTER INSERT ON ${regclass} FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.${name('notify')}()`);
  }
}
