import type { SupportMessageEnriched, SupportTriageResult } from '@spine/schemas';
import type { TriageInput, TriageOutput } from '@spine/triage-model';

/** What the model reads from an enriched message. The lifetime amount becomes a number: a model feature, not money. Pure. */
export function toTriageInput({ message, features }: SupportMessageEnriched): TriageInput {
  return {
    text: message.body,
    subject: message.subject,
    features: {
      messagesTotal: features.messagesTotal,
      messagesLast24h: features.messagesLast24h,
      avgBodyLength: features.avgBodyLength,
      lifetimeOrderAmount: Number(features.lifetimeOrderAmount),
    },
  };
}

/** The Avro SupportTriageResult: the model's answer, with the source event's metadata passed through unchanged. Pure. */
export function toTriageResult(
  { message }: SupportMessageEnriched,
  output: TriageOutput,
  inferredAt: Date,
): SupportTriageResult {
  return {
    metadata: message.metadata,
    customerId: message.customerId,
    sentiment: output.sentiment,
    sentimentScore: output.sentimentScore,
    intent: output.intent,
    intentConfidence: output.intentConfidence,
    priority: output.priority,
    model: { name: output.model.name, version: output.model.version, routing: 'CHAMPION', arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null },
    inferredAt,
  };
}
