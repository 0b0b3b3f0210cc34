/**
 * One AI result as the sink stores it, whatever the domain: where it came from, which model made it,
 * and the result itself as JSON (the Avro value, dates as ISO strings, decimals as exact strings).
 */
export interface AiResultRow {
  /** The source event's id (a UUID): with the result topic, the idempotency key. */
  eventId: string;
  /** The result topic's declared name (no deployment prefix), e.g. spine.ai.support-triage.v1. */
  resultTopic: string;
  /** The record's Kafka key: the business entity (customer id, card id). */
  entityKey: string | null;
  correlationId: string;
  modelName: string;
  modelVersion: string;
  occurredAt: Date;
  receivedAt: Date;
  result: Record<string, unknown>;
  /** When the row was first stored; the database clock fills it in when absent. */
  storedAt?: Date;
  traceId?: string | null;
  sourceTopic?: string;
  sourcePartition?: number;
  /** Kafka offset; a string because offsets are 64-bit and JS numbers are not. */
  sourceOffset?: string;
}

export interface AiResultStoreOptions {
  /** PostgreSQL schema; default 'spine'. */
  schema?: string;
  /** Table name; default 'ai_results'. */
  table?: string;
}
