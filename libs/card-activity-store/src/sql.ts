import type { PaymentHistory } from './types.js';

// The SQL behind CardActivityStore, built once per table.

/** The card window: 30 days as 720 hours, so it is the same length whatever the session's TimeZone (DST). */
const CARD_WINDOW = `interval '720 hours'`;
const CUSTOMER_WINDOW = `interval '24 hours'`;

/** One row of recordAndReadAll per input payment (amounts as text, so no parser decides their precision). */
export interface HistoryRow {
  ord: number;
  amounts: string[];
  merchant_ids: string[];
  countries: string[];
  occurred_ats: Date[];
  customer_payments_24h: number;
}

/** `table` is the quoted, schema-qualified table name. */
export function cardActivitySql(table: string) {
  return {
    /**
     * Records a batch and returns each payment's history, in one statement (so one round trip, and atomic).
     * Parameters: one array per column, in input order ($1 event ids, $2 card ids, $3 customer ids,
     * $4 merchant ids, $5 countries, $6 amounts, $7 occurred_at); any batch size binds 7 parameters.
     *
     * The result is what recording the payments one at a time in input order would return:
     *  - `stored` is the table as of this statement's snapshot. Rows this statement inserts are invisible to its
     *    own reads, so every payment sees the table as it was before the batch, which is what it would have seen
     *    one by one, plus...
     *  - `fresh`: the batch's own rows not already stored, once per event id (its first occurrence, the one one
     *    by one recording would have inserted). A payment also sees the fresh rows at an earlier input position.
     *    A duplicate event id inside the batch, or one already stored, therefore counts once.
     *
     * Exactly once per event id: the primary key with ON CONFLICT DO NOTHING. A fresh id that another
     * transaction inserts concurrently makes this insert wait for that transaction and then do nothing.
     * No deadlocks between overlapping batches: every statement inserts in event id order (DISTINCT ON sorts by
     * it, and the INSERT's ORDER BY keeps it), so two statements never wait for each other's keys in a cycle.
     * Nothing else here takes row locks.
     */
    recordAndReadAll: `
      WITH batch AS (
        SELECT b.event_id, b.card_id, b.customer_id, b.merchant_id, b.country, b.amount, b.occurred_at, b.ord::int AS ord
          FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric(12,2)[], $7::timestamptz[])
               WITH ORDINALITY AS b(event_id, card_id, customer_id, merchant_id, country, amount, occurred_at, ord)
      ), fresh AS (
        SELECT DISTINCT ON (b.event_id) b.*
          FROM batch b
         WHERE NOT EXISTS (SELECT FROM ${table} s WHERE s.event_id = b.event_id)
         ORDER BY b.event_id, b.ord
      ), inserted AS (
        INSERT INTO ${table} (event_id, card_id, customer_id, merchant_id, country, amount, occurred_at)
        SELECT event_id, card_id, customer_id, merchant_id, country, amount, occurred_at FROM fresh ORDER BY event_id
        ON CONFLICT (event_id) DO NOTHING
      ), card_history AS (
        SELECT b.ord, s.event_id, s.amount, s.merchant_id, s.country, s.occurred_at
          FROM batch b
          JOIN ${table} s ON s.card_id = b.card_id
                         AND s.occurred_at >= b.occurred_at - ${CARD_WINDOW} AND s.occurred_at <= b.occurred_at
                         AND s.event_id <> b.event_id
        UNION ALL
        SELECT b.ord, f.event_id, f.amount, f.merchant_id, f.country, f.occurred_at
          FROM batch b
          JOIN fresh f ON f.card_id = b.card_id AND f.ord < b.ord
                      AND f.occurred_at >= b.occurred_at - ${CARD_WINDOW} AND f.occurred_at <= b.occurred_at
                      AND f.event_id <> b.event_id
      ), card_arrays AS (
        -- (occurred_at, event_id) is a total order within one payment's history (event ids are distinct there),
        -- so the four arrays line up element by element.
        SELECT ord,
               array_agg(amount::text ORDER BY occurred_at, event_id) AS amounts,
               array_agg(merchant_id ORDER BY occurred_at, event_id) AS merchant_ids,
               array_agg(country ORDER BY occurred_at, event_id) AS countries,
               array_agg(occurred_at ORDER BY occurred_at, event_id) AS occurred_ats
          FROM card_history
         GROUP BY ord
      ), customer_counts AS (
        SELECT ord, count(*)::int AS n
          FROM (SELECT b.ord
                  FROM batch b
                  JOIN ${table} s ON s.customer_id = b.customer_id
                                 AND s.occurred_at > b.occurred_at - ${CUSTOMER_WINDOW} AND s.occurred_at <= b.occurred_at
                                 AND s.event_id <> b.event_id
                UNION ALL
                SELECT b.ord
                  FROM batch b
                  JOIN fresh f ON f.customer_id = b.customer_id AND f.ord < b.ord
                              AND f.occurred_at > b.occurred_at - ${CUSTOMER_WINDOW} AND f.occurred_at <= b.occurred_at
                              AND f.event_id <> b.event_id) AS earlier
         GROUP BY ord
      )
      SELECT b.ord,
             coalesce(ca.amounts, '{}') AS amounts,
             coalesce(ca.merchant_ids, '{}') AS merchant_ids,
             coalesce(ca.countries, '{}') AS countries,
             coalesce(ca.occurred_ats, '{}') AS occurred_ats,
             coalesce(cc.n, 0) AS customer_payments_24h
        FROM batch b
        LEFT JOIN card_arrays ca ON ca.ord = b.ord
        LEFT JOIN customer_counts cc ON cc.ord = b.ord
       ORDER BY b.ord`,

    eraseCustomer: `DELETE FROM ${table} WHERE customer_id = $1`,
  };
}

export function toHistory(row: HistoryRow): PaymentHistory {
  return {
    cardPayments: row.occurred_ats.map((occurredAt, i) => ({
      amount: Number(row.amounts[i]),
      merchantId: row.merchant_ids[i]!,
      country: row.countries[i]!,
      occurredAt,
    })),
    customerPaymentsLast24h: row.customer_payments_24h,
  };
}
