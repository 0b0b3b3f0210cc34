/** One support message, reduced to what the online features need. */
export interface FeatureUpdate {
  /** Idempotency key: redeliveries of the same event carry the same id (a UUID, per EventMetadata). */
  eventId: string;
  customerId: string;
  occurredAt: Date;
  bodyLength: number;
  /** Exact decimal string with at most 2 fraction digits, e.g. "12.50"; never a JS number (floats are inexact). */
  orderAmount: string | null;
}

/** Mirrors spine.crm.CustomerFeatures in schemas/support-message-enriched.avsc. */
export interface CustomerFeatures {
  /** Messages from this customer so far, this one included. */
  messagesTotal: number;
  /** Messages in the 24 hours up to and including this one's occurredAt. */
  messagesLast24h: number;
  avgBodyLength: number;
  /** The customer's latest contact strictly before this one, or null for a first contact. */
  previousContactAt: Date | null;
  /** Exact decimal string with scale 2, e.g. "0.30". */
  lifetimeOrderAmount: string;
}

export interface FeatureStoreOptions {
  /** PostgreSQL schema holding the tables; default 'spine'. */
  schema?: string;
}
