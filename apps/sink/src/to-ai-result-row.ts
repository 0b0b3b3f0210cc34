import { toResultJson, type AiResultRow } from '@spine/ai-result-store';
import { PermanentError, type InboundMessage } from '@spine/runtime';
import type { EventMetadata, ModelInfo } from '@spine/schemas';

/**
 * Any domain's AI result as the stored row: the envelope every result carries (spine.common.EventMetadata
 * as `metadata`, spine.ai.ModelInfo as `model`) in columns, the whole value as JSON. Pure.
 */
export function toAiResultRow(m: InboundMessage<unknown, unknown>, resultTopic: string, traceId: string | null): AiResultRow {
  const value = m.value as { metadata?: Partial<EventMetadata>; model?: Partial<ModelInfo> } | null;
  const metadata = value?.metadata;
  const model = value?.model;
  if (!metadata?.eventId || !metadata.occurredAt || !metadata.receivedAt) {
    throw new PermanentError(`result on ${m.topic} has no metadata (spine.common.EventMetadata): results must carry it to be stored`);
  }
  if (!model?.name || !model.version) throw new PermanentError(`result on ${m.topic} has no model (spine.ai.ModelInfo): results must say which model made them`);
  return {
    eventId: metadata.eventId,
    resultTopic,
    entityKey: typeof m.key === 'string' ? m.key : null,
    correlationId: metadata.correlationId ?? m.correlationId,
    modelName: model.name,
    modelVersion: model.version,
    occurredAt: metadata.occurredAt,
    receivedAt: metadata.receivedAt,
    result: toResultJson(value!),
    traceId,
    sourceTopic: m.topic,
    sourcePartition: m.partition,
    sourceOffset: m.offset,
  };
}

/** The trace a record belongs to, from its W3C traceparent header (version-traceid-spanid-flags). */
export function traceIdOf(headers: Readonly<Record<string, string>>): string | null {
  const traceId = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(headers.traceparent ?? '')?.[1];
  return traceId && !/^0+$/.test(traceId) ? traceId : null;
}

/**
 * What GET /v1/results/:eventId answers: the envelope, then the result's own fields at the top level
 * (so a triage result reads `sentiment`, `priority`, ... as it always did), the model as modelName/modelVersion.
 */
export function toResultView(row: AiResultRow): Record<string, unknown> {
  const { metadata: _metadata, model: _model, ...fields } = row.result;
  return {
    ...fields,
    eventId: row.eventId,
    resultTopic: row.resultTopic,
    entityKey: row.entityKey,
    correlationId: row.correlationId,
    modelName: row.modelName,
    modelVersion: row.modelVersion,
    occurredAt: row.occurredAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    storedAt: row.storedAt?.toISOString(),
    traceId: row.traceId ?? null,
    sourceTopic: row.sourceTopic,
    sourcePartition: row.sourcePartition,
    sourceOffset: row.sourceOffset,
  };
}
