export const INTENTS = [
  'BILLING',
  'REFUND',
  'TECHNICAL_ISSUE',
  'ACCOUNT_ACCESS',
  'CANCELLATION',
  'SHIPPING',
  'FEEDBACK',
  'OTHER',
] as const;

export type Intent = (typeof INTENTS)[number];
export type Sentiment = 'NEGATIVE' | 'NEUTRAL' | 'POSITIVE';
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

export interface CustomerFeatures {
  /** Messages from this customer so far, this one included. */
  messagesTotal: number;
  /** Messages in the 24 hours up to this one, this one included (so 1 = no recent repeat). */
  messagesLast24h: number;
  avgBodyLength: number;
  /** Lifetime order value in the shop's currency. */
  lifetimeOrderAmount: number;
}

export interface TriageInput {
  text: string;
  subject?: string | null;
  features: CustomerFeatures;
}

export interface TriageOutput {
  sentiment: Sentiment;
  /**
   * -1 (very negative) .. 1 (very positive): wink-nlp's document sentiment (rules v1, model 1.0.0), or wink per clause
   * with the support-domain correction layer (rules v2, model 1.1.0; see sentiment.ts).
   */
  sentimentScore: number;
  intent: Intent;
  /**
   * 0..1: the probability for the intent answered. Model 1.0.0: wink's one-vs-rest odds, ≥ 0.99 for most messages of
   * more than one sentence. Model 1.1.0: calibrated, so that on average it is the share of such answers that are right.
   */
  intentConfidence: number;
  priority: Priority;
  model: { name: string; version: string };
}

export interface TriageModel {
  readonly name: string;
  readonly version: string;
  classify(input: TriageInput): TriageOutput;
}

export function isIntent(value: string): value is Intent {
  return (INTENTS as readonly string[]).includes(value);
}
