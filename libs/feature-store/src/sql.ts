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

export function featureSql(schema: string) {
  const events = `${schema}.feature_events`;
  const aggregates = `${schema}.customer_features`;
  return {
    /**
     * Serializes all applications for one customer: the "as of" counts in applyEvent must see every earlier
     * commit. Creates the customer's aggregate row if missing, so a first contact has a row to lock too, and
     * locks it in the same statement: ON CONFLICT DO UPDATE locks the existing row even when its WHERE is false,
     * so nothing is written (no new row version). A concurrent first contact waits on the uncommitted insert
     * and then takes the lock on the committed row.
     */
    lockCustomer: `
      INSERT INTO ${aggregates} AS cf (customer_id) VALUES ($1)
      ON CONFLICT (customer_id) DO UPDATE SET updated_at = cf.updated_at WHERE false`,

    /**
     * Applies the event and returns the features as of it, in one statement; the customer must be locked by an
     * earlier statement of the same transaction (lockCustomer), so this statement's snapshot, taken after the
     * lock was granted, holds every earlier event of the customer. Never merge the two: a statement's snapshot
     * is taken before it waits for a lock, so it would miss the events of the transaction it waited for.
     * $1 event_id, $2 customer_id, $3 occurred_at, $4 body_length, $5 order_amount.
     *
     * "Earlier" is event-time order with ties broken by event id, so the order is total and the same on every
     * instance; counting earlier events plus this one (instead of reading the running totals) keeps the
     * answer right when an event arrives late.
     *
     * If the event id is already stored (a redelivery), nothing is written and the features stored when it was
     * first applied come back instead (rows the statement inserts are invisible to its own reads, hence the
     * NOT EXISTS). The customer_id column lets the caller refuse an id reused for another customer. No row means
     * the id was taken by a transaction that committed after this statement's snapshot, which only happens for a
     * different customer (one customer's applications are serialized); the caller then looks it up again.
     */
    applyEvent: `
      WITH earlier AS (
        SELECT count(*) AS messages,
               count(*) FILTER (WHERE occurred_at > $3::timestamptz - interval '24 hours') AS messages_24h,
               coalesce(sum(body_length), 0) AS body_length_sum,
               coalesce(sum(order_amount), 0) AS order_amount_sum,
               -- strictly earlier: an event at the very same instant is not a *previous* contact
               max(occurred_at) FILTER (WHERE occurred_at < $3::timestamptz) AS previous_contact_at
          FROM ${events}
         WHERE customer_id = $2::text AND (occurred_at, event_id) < ($3::timestamptz, $1::uuid)
      ), inserted AS (
        INSERT INTO ${events} (event_id, customer_id, occurred_at, body_length, order_amount,
                               as_of_messages_total, as_of_messages_last_24h, as_of_body_length_sum,
                               as_of_previous_contact_at, as_of_lifetime_order_amount)
        SELECT $1::uuid, $2::text, $3::timestamptz, $4::integer, $5::numeric(14,2),
               messages + 1, messages_24h + 1, body_length_sum + $4::integer,
               previous_contact_at, order_amount_sum + coalesce($5::numeric(14,2), 0)
          FROM earlier
        ON CONFLICT (event_id) DO NOTHING
        RETURNING customer_id, as_of_messages_total, as_of_messages_last_24h, as_of_body_length_sum,
                  as_of_previous_contact_at, as_of_lifetime_order_amount
      ), running_totals AS (
        -- Adds a newly applied event to the running totals; a redelivery (nothing inserted) leaves them alone.
        UPDATE ${aggregates}
           SET messages_total = messages_total + 1,
               body_length_sum = body_length_sum + $4::integer,
               lifetime_order_amount = lifetime_order_amount + coalesce($5::numeric(14,2), 0),
               -- greatest() ignores NULL, and keeps the latest contact when a late event arrives
               last_contact_at = greatest(last_contact_at, $3::timestamptz),
               updated_at = now()
         WHERE customer_id = $2::text AND EXISTS (SELECT FROM inserted)
      )
      SELECT customer_id,
             as_of_messages_total AS messages_total, as_of_messages_last_24h AS messages_last_24h,
             as_of_body_length_sum AS body_length_sum, as_of_previous_contact_at AS previous_contact_at,
             as_of_lifetime_order_amount AS lifetime_order_amount
        FROM inserted
      UNION ALL
      SELECT customer_id,
             as_of_messages_total, as_of_messages_last_24h, as_of_body_length_sum, as_of_previous_contact_at,
             as_of_lifetime_order_amount
        FROM ${events}
       WHERE event_id = $1::uuid AND NOT EXISTS (SELECT FROM inserted)`,

    /** The features stored when an event was first applied (what a redelivery gets), with its customer. */
    selectAppliedEvent: `
      SELECT customer_id,
             as_of_messages_total AS messages_total, as_of_messages_last_24h AS messages_last_24h,
             as_of_body_length_sum AS body_length_sum, as_of_previous_contact_at AS previous_contact_at,
             as_of_lifetime_order_amount AS lifetime_order_amount
        FROM ${events}
       WHERE event_id = $1::uuid`,

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
