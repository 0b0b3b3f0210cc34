import type { TriageResultRow } from './types.js';

// The single mapping between TriageResultRow fields and table columns, used both to build the INSERT and to
// read rows back, so the two cannot drift apart.
export const COLUMNS = [
  { column: 'event_id', type: 'uuid', field: 'eventId' },
  { column: 'customer_id', type: 'text', field: 'customerId' },
  { column: 'correlation_id', type: 'text', field: 'correlationId' },
  { column: 'sentiment', type: 'text', field: 'sentiment' },
  { column: 'sentiment_score', type: 'double precision', field: 'sentimentScore' },
  { column: 'intent', type: 'text', field: 'intent' },
  { column: 'intent_confidence', type: 'double precision', field: 'intentConfidence' },
  { column: 'priority', type: 'text', field: 'priority' },
  { column: 'model_name', type: 'text', field: 'modelName' },
  { column: 'model_version', type: 'text', field: 'modelVersion' },
  { column: 'occurred_at', type: 'timestamptz', field: 'occurredAt' },
  { column: 'received_at', type: 'timestamptz', field: 'receivedAt' },
  { column: 'inferred_at', type: 'timestamptz', field: 'inferredAt' },
  { column: 'stored_at', type: 'timestamptz', field: 'storedAt' },
  { column: 'trace_id', type: 'text', field: 'traceId' },
  { column: 'source_topic', type: 'text', field: 'sourceTopic' },
  { column: 'source_partition', type: 'integer', field: 'sourcePartition' },
  { column: 'source_offset', type: 'bigint', field: 'sourceOffset' },
] as const satisfies readonly { column: string; type: string; field: keyof TriageResultRow }[];

/** A stored row as pg returns it (uuid and bigint as strings, timestamptz as Date, float8 as number). */
export interface StoredRow {
  event_id: string;
  customer_id: string;
  correlation_id: string;
  sentiment: string;
  sentiment_score: number;
  intent: string;
  intent_confidence: number;
  priority: string;
  model_name: string;
  model_version: string;
  occurred_at: Date;
  received_at: Date;
  inferred_at: Date;
  stored_at: Date;
  trace_id: string | null;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
}

export function fromStoredRow(row: StoredRow): TriageResultRow {
  const result: TriageResultRow = {
    eventId: row.event_id,
    customerId: row.customer_id,
    correlationId: row.correlation_id,
    sentiment: row.sentiment,
    sentimentScore: row.sentiment_score,
    intent: row.intent,
    intentConfidence: row.intent_confidence,
    priority: row.priority,
    modelName: row.model_name,
    modelVersion: row.model_version,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    inferredAt: row.inferred_at,
    storedAt: row.stored_at,
    traceId: row.trace_id,
  };
  // The provenance fields are optional (not nullable) in TriageResultRow, so NULL means "absent".
  if (row.source_topic !== null) result.sourceTopic = row.source_topic;
  if (row.source_partition !== null) result.sourcePartition = row.source_partition;
  if (row.source_offset !== null) result.sourceOffset = row.source_offset;
  return result;
}
