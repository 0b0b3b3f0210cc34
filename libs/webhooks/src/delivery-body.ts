import { toResultJson } from '@spine/ai-result-store';
import { PermanentError, type InboundMessage } from '@spine/runtime';
import type { ClaimedDelivery, OutboxEntry } from './outbox.js';

/** The `type` of every delivery's body. */
export const RESULT_EVENT_TYPE = 'ai.result';

/** A result record as the outbox entry every matching subscription gets (the value as JSON, like the sink stores it). */
export function toOutboxEntry(m: InboundMessage<unknown, unknown>, resultTopic: string): OutboxEntry {
  const value = m.value as { metadata?: { eventId?: string } } | null;
  const eventId = value?.metadata?.eventId;
  if (!eventId) throw new PermanentError(`result on ${m.topic} has no metadata.eventId (spine.common.EventMetadata): deliveries are identified by it`);
  return { resultTopic, eventId, entityKey: typeof m.key === 'string' ? m.key : '', result: toResultJson(value) };
}

/**
 * The body POSTed (and signed): `{ "type": "ai.result", "resultTopic", "eventId", "entityKey", "result" }`,
 * `result` being the Avro value as JSON. Built from the stored row, the same bytes on every attempt.
 */
export function deliveryBody(d: Pick<ClaimedDelivery, 'resultTopic' | 'eventId' | 'entityKey' | 'result'>): string {
  return JSON.stringify({ type: RESULT_EVENT_TYPE, resultTopic: d.resultTopic, eventId: d.eventId, entityKey: d.entityKey || null, result: d.result });
}
