import type { CustomerFeatures } from './types.js';

// The SQL behind FeatureStore, built once per schema. Every statement returns the same column names so one
// mapper (toFeatures) turns any of them into CustomerFeatures.

/** Row shape shared by the statements that return features (bigint arrives as a string, numeric too). */
export interface FeaturesRow {
  messages_total: string;
  messages_last_24h: string | number;
  body_length_sum: string;
  previous_contact_at: Date | null;
  lifetime_order_amount: string;
}

/** A FeaturesRow of a stored event, with the customer it was applied for. */
export interface AppliedRow extends FeaturesRow {
  customer_id: string;
}

/** An AppliedRow of a batch statement, with its event id. */
export interface AppliedEventRow extends AppliedRow {
  event_id: string;
}

export function featureSql(schema: string) {
  const events = `${schema}.feature_events`;
  const aggregates = `${schema}.customer_features`;
  return {
    /**
     * Serializes all applications for the batch's customers: the "as of" counts in applyEvents must see every
     * earlier commit. Creates each customer's aggregate row if missing, so a first contact has a row to lock
     * too, and locks it in the same statement: ON CONFLICT DO UPDATE locks the existing row even when its
     * WHERE is false, so nothing is written (no new row version). A concurrent first contact waits on the
     * uncommitted insert and then takes the lock on the committed row. Customers are locked in one order, so
     * two transactions locking overlapping sets (a rebalance) cannot deadlock. $1 customer ids.
     */
    lockCustomers: `
      INSERT INTO ${aggregates} AS cf (customer_id)
      SELECT DISTINCT c FROM unnest($1::text[]) AS c ORDER BY c
      ON CONFLICT (customer_id) DO UPDATE SET updated_at = cf.updated_at WHERE false`,

    /**
     * Applies a batch of events of *distinct* customers and returns the features as of each, in one
     * statement; the customers must be locked by an earlier statement of the same transaction
     * (lockCustomers), so this statement's snapshot, taken after the locks were granted, holds every earlier
     * event of each customer. Never merge the two: a statement's snapshot is taken before it waits for a lock,
     * so it would miss the events of the transaction it waited for.
     * Arrays: $1 event_id, $2 customer_id, $3 occurred_at, $4 body_length, $5 order_amount.
     *
     * "Earlier" is event-time order with ties broken by event id, so the order is total and the same on every
     * instance; counting earlier events plus this one (instead of reading the running totals) keeps the
     * answer right when an event arrives late.
     *
     * An event id already stored (a redelivery) writes nothing and gets the features stored when it was first
     * applied (rows the statement inserts are invisible to its own reads, hence the NOT IN). An event missing
     * from the result had its id taken by a transaction that committed after this snapshot, which only happens
     * for a different customer (one customer's applications are serialized); the caller looks it up again.
     */
    applyEvents: `
      WITH batch AS (
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::integer[], $5::numeric(14,2)[])
                 AS b(event_id, customer_id, occurred_at, body_length, order_amount)
      ), earlier AS (
        SELECT b.*, e.messages, e.messages_24h, e.prior_body_length_sum, e.order_amount_sum, e.previous_contact_at
          FROM batch b CROSS JOIN LATERAL (
            SELECT count(*) AS messages,
                   count(*) FILTER (WHERE fe.occurred_at > b.occurred_at - interval '24 hours') AS messages_24h,
                   coalesce(sum(fe.body_length), 0) AS prior_body_length_sum,
                   coalesce(sum(fe.order_amount), 0) AS order_amount_sum,
                   max(fe.occurred_at) FILTER (WHERE fe.occurred_at < b.occurred_at) AS previous_contact_at
              FROM ${events} fe
             WHERE fe.customer_id = b.customer_id AND (fe.occurred_at, fe.event_id) < (b.occurred_at, b.event_id)
          ) e
      ), inserted AS (
        INSERT INTO ${events} (event_id, customer_id, occurred_at, body_length, order_amount,
                               as_of_messages_total, as_of_messages_last_24h, as_of_body_length_sum,
                               as_of_previous_contact_at, as_of_lifetime_order_amount)
        SELECT event_id, customer_id, occurred_at, body_length, order_amount,
               messages + 1, messages_24h + 1, prior_body_length_sum + body_length,
               previous_contact_at, order_amount_sum + coalesce(order_amount, 0)
          FROM earlier ORDER BY event_id
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id, customer_id, as_of_messages_total, as_of_messages_last_24h, as_of_body_length_sum,
                  as_of_previous_contact_at, as_of_lifetime_order_amount
      ), running_totals AS (
        UPDATE ${aggregates} cf
           SET messages_total = cf.messages_total + d.n,
               body_length_sum = cf.body_length_sum + d.body_length_sum,
               lifetime_order_amount = cf.lifetime_order_amount + d.order_amount_sum,
               last_contact_at = greatest(cf.last_contact_at, d.last_contact_at),
               updated_at = now()
          FROM (SELECT b.customer_id, count(*) AS n, sum(b.body_length) AS body_length_sum,
                       coalesce(sum(b.order_amount), 0) AS order_amount_sum, max(b.occurred_at) AS last_contact_at
                  FROM inserted i JOIN batch b USING (event_id) GROUP BY b.customer_id) d
         WHERE cf.customer_id = d.customer_id
      )
      SELECT event_id, customer_id,
             as_of_messages_total AS messages_total, as_of_messages_last_24h AS messages_last_24h,
             as_of_body_length_sum AS body_length_sum, as_of_previous_contact_at AS previous_contact_at,
             as_of_lifetime_order_amount AS lifetime_order_amount
        FROM inserted
      UNION ALL
      SELECT fe.event_id, fe.customer_id,
             fe.as_of_messages_total, fe.as_of_messages_last_24h, fe.as_of_body_length_sum,
             fe.as_of_previous_contact_at, fe.as_of_lifetime_order_amount
        FROM ${events} fe
       WHERE fe.event_id IN (SELECT event_id FROM batch) AND fe.event_id NOT IN (SELECT event_id FROM inserted)`,

    /** The features stored when events were first applied (what a redelivery gets), with their customers. $1 uuid[] */
    selectAppliedEvents: `
      SELECT event_id, customer_id,
             as_of_messages_total AS messages_total, as_of_messages_last_24h AS messages_last_24h,
             as_of_body_length_sum AS body_length_sum, as_of_previous_contact_at AS previous_contact_at,
             as_of_lifetime_order_amount AS lifetime_order_amount
        FROM ${events}
       WHERE event_id = ANY($1::uuid[])`,

    /**
     * Current features from the running totals. The 24h window is relative to the database clock (one clock
     * for all instances); it needs the events, since a sliding window cannot be kept as a running total.
     */
    readCustomer: `
      SELECT cf.messages_total, cf.body_length_sum, cf.lifetime_order_amount,
             cf.last_contact_at AS previous_contact_at,
             (SELECT count(*) FROM ${events} fe
               WHERE fe.customer_id = cf.customer_id
                 AND fe.occurred_at > now() - interval '24 hours' AND fe.occurred_at <= now()) AS messages_last_24h
        FROM ${aggregates} cf
       WHERE cf.customer_id = $1 AND cf.messages_total > 0`,
  };
}

export function toFeatures(row: FeaturesRow): CustomerFeatures {
  const messagesTotal = Number(row.messages_total);
  return {
    messagesTotal,
    messagesLast24h: Number(row.messages_last_24h),
    // Computed here rather than stored: the sum and count are exact integers, the average is derived.
    avgBodyLength: messagesTotal === 0 ? 0 : Number(row.body_length_sum) / messagesTotal,
    previousContactAt: row.previous_contact_at,
    lifetimeOrderAmount: row.lifetime_order_amount,
  };
}
