/** The cache's SQL, built once per table. `table` is the quoted, schema-qualified table name. */
export interface CacheStatements {
  readonly get: string;
  readonly put: string;
  readonly expire: string;
  readonly evict: string;
}

const KEY_MATCH = 'c.model = k.model AND c.version = k.version AND c.input_hash = k.input_hash';

export function cacheStatements(table: string): CacheStatements {
  return {
    // $1 model, $2 version, $3 hashes, $4 the oldest stored_at still fresh. Primary-key look-ups, one statement per batch.
    get: `SELECT input_hash, output, stored_at FROM ${table}
           WHERE model = $1 AND version = $2 AND input_hash = ANY($3::text[]) AND stored_at >= $4`,
    // $1 model, $2 version, $3 hashes (distinct, sorted), $4 outputs as JSON text, $5 stored_at. One array per column:
    // one statement whatever the batch size. An existing entry (even an expired one) is overwritten and refreshed.
    put: `INSERT INTO ${table} (model, version, input_hash, output, stored_at)
          SELECT $1, $2, u.input_hash, u.output::jsonb, $5 FROM unnest($3::text[], $4::text[]) AS u(input_hash, output)
          ON CONFLICT (model, version, input_hash) DO UPDATE SET output = EXCLUDED.output, stored_at = EXCLUDED.stored_at`,
    // Prune never waits for a row a writer holds (SKIP LOCKED): it takes what is free now, the rest next time.
    // $1 the oldest stored_at still fresh.
    expire: `WITH k AS (SELECT model, version, input_hash FROM ${table} WHERE stored_at < $1 FOR UPDATE SKIP LOCKED)
             DELETE FROM ${table} c USING k WHERE ${KEY_MATCH}`,
    // $1 maxEntries. Oldest first by stored_at (first written, not least recently read: a hit writes nothing).
    evict: `WITH k AS (
              SELECT model, version, input_hash FROM ${table} ORDER BY stored_at
               LIMIT GREATEST((SELECT count(*) FROM ${table}) - $1::bigint, 0) FOR UPDATE SKIP LOCKED)
            DELETE FROM ${table} c USING k WHERE ${KEY_MATCH}`,
  };
}
