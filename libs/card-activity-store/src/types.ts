/**
 * One card payment, reduced to what the velocity features need (from spine.payments.PaymentTransactionReceived
 * and its EventMetadata).
 */
export interface CardPayment {
  /** Idempotency key: a redelivery carries the same id (a UUID, per EventMetadata). */
  eventId: string;
  cardId: string;
  customerId: string;
  merchantId: string;
  country: string;
  /** Exact decimal string that fits the Avro decimal(12,2), e.g. "129.90"; never a JS number. */
  amount: string;
  occurredAt: Date;
}

/**
 * What the store reads back is what the fraud features need, so the feature function's types are the
 * contract: cardPayments = the card's payments with occurredAt in [t − 30 days, t] (t = this payment's
 * occurredAt, 30 days = 720 hours), this payment excluded by eventId, ascending by occurredAt, ties by eventId
 * (amounts parsed from numeric(12,2): fine for features, not for bookkeeping); customerPaymentsLast24h = the
 * customer's payments (all cards) with occurredAt in (t − 24 h, t], this payment excluded.
 */
export type { PaymentHistory, PriorPayment } from '@spine/fraud-model';

export interface CardActivityStoreOptions {
  /** PostgreSQL schema holding the table; default 'spine'. */
  schema?: string;
  /** Table name; default 'card_payments'. At most 45 characters, since its index names derive from it. */
  table?: string;
}
