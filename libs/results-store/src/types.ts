/** One AI triage result as the sink stores it: the Avro SupportTriageResult flattened, plus provenance. */
export interface TriageResultRow {
  /** The source message's event id (a UUID): the idempotency key. */
  eventId: string;
  customerId: string;
  correlationId: string;
  sentiment: string;
  sentimentScore: number;
  intent: string;
  intentConfidence: number;
  priority: string;
  modelName: string;
  modelVersion: string;
  occurredAt: Date;
  receivedAt: Date;
  inferredAt: Date;
  /** When the row was first stored; the database clock fills it in when absent. */
  storedAt?: Date;
  traceId?: string | null;
  sourceTopic?: string;
  sourcePartition?: number;
  /** Kafka offset; a string because offsets are 64-bit and JS numbers are not. */
  sourceOffset?: string;
}

export interface ResultsStoreOptions {
  /** PostgreSQL schema; default 'spine'. */
  schema?: string;
  /** Table name; default 'triage_results'. */
  table?: string;
}
