import type { AiResultRow } from './types.js';

// The single mapping between AiResultRow fields and table columns, used both to build the INSERT and to
// read rows back, so the two cannot drift apart.
export const COLUMNS = [
  { column: 'event_id', type: 'uuid', field: 'eventId' },
  { column: 'result_topic', type: 'text', field: 'resultTopic' },
  { column: 'entity_key', type: 'text', field: 'entityKey' },
  { column: 'correlation_id', type: 'text', field: 'correlationId' },
  { column: 'model_name', type: 'text', field: 'modelName' },
  { column: 'model_version', type: 'text', field: 'modelVersion' },
  { column: 'occurred_at', type: 'timestamptz', field: 'occurredAt' },
  { column: 'received_at', type: 'timestamptz', field: 'receivedAt' },
  { column: 'result', type: 'jsonb', field: 'result' },
  { column: 'stored_at', type: 'timestamptz', field: 'storedAt' },
  { column: 'trace_id', type: 'text', field: 'traceId' },
  { column: 'source_topic', type: 'text', field: 'sourceTopic' },
  { column: 'source_partition', type: 'integer', field: 'sourcePartition' },
  { column: 'source_offset', type: 'bigint', field: 'sourceOffset' },
] as const satisfies readonly { column: string; type: string; field: keyof AiResultRow }[];

/** A stored row as pg returns it (uuid and bigint as strings, timestamptz as Date, jsonb parsed). */
export interface StoredRow {
  event_id: string;
  result_topic: string;
  entity_key: string | null;
  correlation_id: string;
  model_name: string;
  model_version: string;
  occurred_at: Date;
  received_at: Date;
  result: Record<string, unknown>;
  stored_at: Date;
  trace_id: string | null;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
}

export function fromStoredRow(row: StoredRow): AiResultRow {
  const result: AiResultRow = {
    eventId: row.event_id,
    resultTopic: row.result_topic,
    entityKey: row.entity_key,
    correlationId: row.correlation_id,
    modelName: row.model_name,
    modelVersion: row.model_version,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    result: row.result,
    storedAt: row.stored_at,
    traceId: row.trace_id,
  };
  // Provenance is optional (not nullable) in AiResultRow, so NULL means "absent".
  if (row.source_topic !== null) result.sourceTopic = row.source_topic;
  if (row.source_partition !== null) result.sourcePartition = row.source_partition;
  if (row.source_offset !== null) result.sourceOffset = row.source_offset;
  return result;
}
