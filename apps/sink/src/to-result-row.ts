import type { TriageResultRow } from '@spine/results-store';
import type { InboundMessage } from '@spine/runtime';
import type { SupportTriageResult } from '@spine/schemas';

/** Flattens a triage result into the stored row, with where it was read from. Pure. */
export function toResultRow(m: InboundMessage<SupportTriageResult>, traceId: string | null): TriageResultRow {
  const { metadata, model } = m.value;
  return {
    eventId: metadata.eventId,
    customerId: m.value.customerId,
    correlationId: metadata.correlationId,
    sentiment: m.value.sentiment,
    sentimentScore: m.value.sentimentScore,
    intent: m.value.intent,
    intentConfidence: m.value.intentConfidence,
    priority: m.value.priority,
    modelName: model.name,
    modelVersion: model.version,
    occurredAt: metadata.occurredAt,
    receivedAt: metadata.receivedAt,
    inferredAt: m.value.inferredAt,
    traceId,
    sourceTopic: m.topic,
    sourcePartition: m.partition,
    sourceOffset: m.offset,
  };
}
