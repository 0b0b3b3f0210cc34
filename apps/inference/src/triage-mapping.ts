import type { ModelInfo, SupportMessageEnriched, SupportTriageResult } from '@spine/schemas';
import type { TriageInput, TriageOutput } from '@spine/triage-model';

/** What every triage model version answers (in process, or an LLM's validated reply). */
export type TriageAnswer = Omit<TriageOutput, 'model'>;

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

/** The Avro SupportTriageResult: the model's answer and how it was chosen, with the source event's metadata passed through unchanged. Pure. */
export function toTriageResult({ message }: SupportMessageEnriched, output: TriageAnswer, model: ModelInfo, inferredAt: Date): SupportTriageResult {
  return {
    metadata: message.metadata,
    customerId: message.customerId,
    sentiment: output.sentiment,
    sentimentScore: output.sentimentScore,
    intent: output.intent,
    intentConfidence: output.intentConfidence,
    priority: output.priority,
    model,
    inferredAt,
  };
}
