import { nlp } from './nlp.js';
import {
  CLAUSE_BOUNDARY,
  COMPLAINTS,
  CONCESSION_WEIGHT,
  CONTRAST,
  GRIEVANCES,
  INTENSIFIER_FACTOR,
  INTENSIFIERS,
  NEGATED_BEFORE,
  NEUTRAL_IN_SUPPORT,
  SHOUTING,
  SHOUTING_FACTOR,
  SIGN_OFF,
} from './support-lexicon.js';
import type { Sentiment } from './types.js';

/**
 * Which sentiment rules a model version uses, named by its artifact: "v1" (1.0.0) is wink's document score alone;
 * "v2" (1.1.0) adds the support-domain correction layer of analyzeSentimentV2().
 */
export const SENTIMENT_RULES = ['v1', 'v2'] as const;
export type SentimentRules = (typeof SENTIMENT_RULES)[number];

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

export function analyzeSentiment(text: string, rules: SentimentRules = 'v1'): SentimentResult {
  return rules === 'v2' ? analyzeSentimentV2(text) : analyzeSentimentV1(text);
}

/** Rules v1 (model 1.0.0): wink's document score with the request words masked. Unchanged since 1.0.0. */
function analyzeSentimentV1(text: string): SentimentResult {
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

/**
 * Rules v2 (model 1.1.0): wink stays the base model, read one clause at a time, with a support-domain correction layer
 * (support-lexicon.ts):
 * 1. The message is split into clauses (sentence ends, commas, "and", "but", …), so wink's negation stops at the end of
 *    its clause: in "I can't log in and it's frustrating" the "can't" no longer flips "frustrating".
 * 2. In each clause, complaint and grievance phrases of the lexicon are found ("garbage", "unacceptable", "charged
 *    twice", "nobody answers"; cancelled by a negator just before them) and masked, together with the topic and
 *    courtesy words wink would misread ("charged", "problem", "doesn't work", "please", "sorry").
 * 3. The clause's score is the mean of wink's score for what remains (when not 0) and the lexicon phrases' polarities,
 *    × 1.5 with an intensifier ("extremely", "absolutely"), × 1.25 when shouting ("!!", "TWICE"), within -1..1.
 * 4. The message's score is the mean over the clauses that carry sentiment: a neutral sentence ("I ordered on
 *    Monday.") no longer dilutes an angry one. A clause conceded before "but" counts half ("not bad, but I'm not
 *    happy" is negative); a closing "Thanks!" after a message does not count as praise.
 */
function analyzeSentimentV2(text: string): SentimentResult {
  // Typographic apostrophes as ASCII, so "haven’t" matches the lexicon's "haven't".
  // split() with a capturing group keeps the boundaries: [clause, boundary, clause, …].
  const parts = text.replace(/[’‘]/g, "'").split(new RegExp(`(${CLAUSE_BOUNDARY.source})`, 'i'));
  const clauses: Array<{ text: string; weight: number; shouted: boolean }> = [];
  for (let i = 0; i < parts.length; i += 2) {
    const clause = (parts[i] ?? '').trim();
    const boundary = parts[i + 1] ?? '';
    if (!/\p{L}/u.test(clause)) continue;
    clauses.push({
      text: clause,
      weight: CONTRAST.test(boundary) ? CONCESSION_WEIGHT : 1,
      shouted: SHOUTING.test(`${clause}${boundary}`),
    });
  }
  let sum = 0;
  let weights = 0;
  clauses.forEach(({ text: clause, weight, shouted }, i) => {
    if (i > 0 && i === clauses.length - 1 && SIGN_OFF.test(clause)) return;
    const score = scoreClause(clause, shouted);
    if (score === 0) return;
    sum += score * weight;
    weights += weight;
  });
  const score = weights === 0 ? 0 : clamp(sum / weights);
  return { sentiment: sentimentLabel(score), score };
}

function scoreClause(clause: string, shouted: boolean): number {
  const polarities: number[] = [];
  let masked = clause;
  for (const { pattern, polarity } of [...COMPLAINTS, ...GRIEVANCES]) {
    masked = masked.replace(pattern, (match: string, offset: number) => {
      if (!NEGATED_BEFORE.test(masked.slice(0, offset))) polarities.push(polarity);
      return ' '.repeat(match.length);
    });
  }
  masked = masked.replace(NEUTRAL_IN_SUPPORT, (match: string) => ' '.repeat(match.length));
  const { its } = nlp();
  const raw = nlp().readDoc(masked).out(its.sentiment);
  const base = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
  if (base !== 0) polarities.push(base);
  if (polarities.length === 0) return 0;

  let score = polarities.reduce((a, b) => a + b, 0) / polarities.length;
  if (INTENSIFIERS.test(clause)) score *= INTENSIFIER_FACTOR;
  if (shouted) score *= SHOUTING_FACTOR;
  return clamp(score);
}

function clamp(score: number): number {
  return Math.max(-1, Math.min(1, score));
}
