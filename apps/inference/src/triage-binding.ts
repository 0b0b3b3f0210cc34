import type { ModelBinding } from '@spine/model-lifecycle';
import { INTENTS, type Intent, type Priority, type Sentiment, type TriageInput, type TriageModel } from '@spine/triage-model';
import type { TriageAnswer } from './triage-mapping.js';

/**
 * The triage model as the model router sees it: each shipped version in process (`support-triage@<version>`), an
 * OpenAI-compatible LLM through its validated structured reply (the prompt template reads text, subject and features),
 * confidence = the intent's probability (a cascade escalates unconfident messages to the LLM), agreement = same intent
 * and priority.
 */
export function triageBinding(models: readonly TriageModel[]): ModelBinding<TriageInput, TriageAnswer> {
  return {
    functions: Object.fromEntries(
      models.map((model) => [
        `${model.name}@${model.version}`,
        (input: TriageInput): TriageAnswer => {
          const { model: _model, ...answer } = model.classify(input);
          return answer;
        },
      ]),
    ),
    chat: {
      encode: (input) => input,
      // The reply was validated against the version's outputSchema; map it onto the triage answer (clamped, defaulted).
      decode: (reply) => {
        const r = reply as Record<string, unknown>;
        const intent = (INTENTS as readonly string[]).includes(String(r.intent)) ? (r.intent as Intent) : 'OTHER';
        return {
          sentiment: (['NEGATIVE', 'NEUTRAL', 'POSITIVE'].includes(String(r.sentiment)) ? r.sentiment : 'NEUTRAL') as Sentiment,
          sentimentScore: clamp(Number(r.sentimentScore ?? 0), -1, 1),
          intent,
          intentConfidence: clamp(Number(r.intentConfidence ?? 1), 0, 1),
          priority: (['P1', 'P2', 'P3', 'P4'].includes(String(r.priority)) ? r.priority : 'P3') as Priority,
        };
      },
    },
    confidence: (answer) => answer.intentConfidence,
    agree: (a, b) => a.intent === b.intent && a.priority === b.priority,
    score: (answer) => answer.intentConfidence,
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo;
}
