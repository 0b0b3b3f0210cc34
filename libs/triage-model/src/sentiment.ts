import { nlp } from './nlp.js';
import type { Sentiment } from './types.js';

/**
 * Thresholds on wink's score. wink scores a sentence as the mean polarity of its sentiment-bearing words (a mild word
 * such as "cancel", "free" or "broken" is ±0.2, a strong one such as "awful" or "excellent" ±0.6) and a document as
 * the mean over its sentences. In support text a lone mild word is usually the topic, not the customer's mood
 * ("cancel my plan", "free shipping"), so a label needs more than that: |score| ≥ 0.25.
 */
export const NEGATIVE_AT_OR_BELOW = -0.25;
export const POSITIVE_AT_OR_ABOVE = 0.25;
/** At or below this the customer is clearly upset (a strong negative word, or several): priority uses it. */
export const STRONGLY_NEGATIVE_AT_OR_BELOW = -0.4;

/**
 * Request vocabulary that wink's lexicon counts as positive ("please", "help", "support", "want", "would like") but
 * that in a support message marks a request, not satisfaction. Because wink averages, leaving them in would dilute a
 * complaint: "I was charged twice, please fix this" would drift to neutral.
 */
const REQUEST_WORDS = /\b(?:please|pls|plz|kindly|help|support|wants?|(?:would|'d|’d)\s+like)\b/gi;

export interface SentimentResult {
  sentiment: Sentiment;
  score: number;
}

export function analyzeSentiment(text: string): SentimentResult {
  const { its } = nlp();
  const raw = nlp().readDoc(text.replace(REQUEST_WORDS, ' ')).out(its.sentiment);
  const score = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
  return { sentiment: sentimentLabel(score), score };
}

export function sentimentLabel(score: number): Sentiment {
  if (score <= NEGATIVE_AT_OR_BELOW) return 'NEGATIVE';
  if (score >= POSITIVE_AT_OR_ABOVE) return 'POSITIVE';
  return 'NEUTRAL';
}
