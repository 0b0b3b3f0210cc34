import { STRONGLY_NEGATIVE_AT_OR_BELOW } from './sentiment.js';
import type { CustomerFeatures, Intent, Priority, Sentiment } from './types.js';

export interface PrioritySignals {
  intent: Intent;
  sentiment: Sentiment;
  sentimentScore: number;
  features: Pick<CustomerFeatures, 'messagesLast24h' | 'lifetimeOrderAmount'>;
  /** The message says the customer is blocked (locked out, cannot work, service down): see support-lexicon.ts. v2 only. */
  blocking?: boolean;
}

/**
 * Which priority rules a model version uses, named by its artifact: "v1" (1.0.0) as documented on scorePriority();
 * "v2" (1.1.0) adds the blocking signal.
 */
export const PRIORITY_RULES = ['v1', 'v2'] as const;
export type PriorityRules = (typeof PRIORITY_RULES)[number];

/** Lifetime order value from which a customer counts as high-value (shop currency). */
export const HIGH_VALUE_LIFETIME_AMOUNT = 1000;

/**
 * How much each intent costs the customer while it waits: being locked out or having a broken product blocks them,
 * money and parcel issues hurt but do not block, feedback and general questions can wait.
 */
const INTENT_POINTS: Record<Intent, number> = {
  ACCOUNT_ACCESS: 2,
  TECHNICAL_ISSUE: 2,
  BILLING: 1,
  REFUND: 1,
  CANCELLATION: 1,
  SHIPPING: 1,
  FEEDBACK: 0,
  OTHER: 0,
};

/**
 * Additive urgency score, mapped to P1 (≥ 4), P2 (3), P3 (1..2), P4 (≤ 0). Points:
 * - intent: see INTENT_POINTS;
 * - sentiment: strongly negative +2, negative +1, positive −1 (a happy customer is not waiting on us);
 * - repeat contact: a 2nd message within 24h +1, a 3rd or later +2 (they are chasing us);
 * - high-value customer: +1, or +2 when they want to cancel (the churn we most want to prevent).
 * So a blocked, angry customer (ACCOUNT_ACCESS/TECHNICAL_ISSUE and strongly negative) is P1 on first contact.
 * Positive feedback is P4 whatever else holds: nobody is waiting for an answer to praise.
 * Message count and body length do not enter: they describe the customer, not the urgency of this message.
 * These are rules v1 (model 1.0.0); `rules` "v2" adds the blocking signal (scorePriorityV2).
 */
export function scorePriority(signals: PrioritySignals, rules: PriorityRules = 'v1'): Priority {
  return rules === 'v2' ? scorePriorityV2(signals) : priorityFor(pointsV1(signals));
}

/**
 * Rules v2 (model 1.1.0): v1's points, plus 1 when the customer says they are blocked, and a blocked customer is at
 * least P2 whatever the intent: "I can't log in to my account" (ACCOUNT_ACCESS, calm) is P2, not P3; angry, P1. A
 * blocking message sent as feedback still gets an answer soon; positive feedback otherwise stays P4.
 */
function scorePriorityV2(signals: PrioritySignals): Priority {
  if (!signals.blocking) return priorityFor(pointsV1(signals));
  return priorityFor(Math.max(pointsV1(signals, false) + 1, 3));
}

/** v1's points; positive feedback scores 0 (P4) unless `positiveFeedbackIsP4` is false. */
function pointsV1(signals: PrioritySignals, positiveFeedbackIsP4 = true): number {
  const { intent, sentiment, sentimentScore, features } = signals;
  if (positiveFeedbackIsP4 && intent === 'FEEDBACK' && sentiment === 'POSITIVE') return 0;

  let points = INTENT_POINTS[intent];

  if (sentimentScore <= STRONGLY_NEGATIVE_AT_OR_BELOW) points += 2;
  else if (sentiment === 'NEGATIVE') points += 1;
  else if (sentiment === 'POSITIVE') points -= 1;

  if (features.messagesLast24h >= 3) points += 2;
  else if (features.messagesLast24h >= 2) points += 1;

  if (features.lifetimeOrderAmount >= HIGH_VALUE_LIFETIME_AMOUNT) points += intent === 'CANCELLATION' ? 2 : 1;

  return points;
}

function priorityFor(points: number): Priority {
  if (points >= 4) return 'P1';
  if (points === 3) return 'P2';
  if (points >= 1) return 'P3';
  return 'P4';
}
