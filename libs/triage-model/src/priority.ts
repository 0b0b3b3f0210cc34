import { STRONGLY_NEGATIVE_AT_OR_BELOW } from './sentiment.js';
import type { CustomerFeatures, Intent, Priority, Sentiment } from './types.js';

export interface PrioritySignals {
  intent: Intent;
  sentiment: Sentiment;
  sentimentScore: number;
  features: Pick<CustomerFeatures, 'messagesLast24h' | 'lifetimeOrderAmount'>;
}

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
 */
export function scorePriority(signals: PrioritySignals): Priority {
  const { intent, sentiment, sentimentScore, features } = signals;
  if (intent === 'FEEDBACK' && sentiment === 'POSITIVE') return 'P4';

  let points = INTENT_POINTS[intent];

  if (sentimentScore <= STRONGLY_NEGATIVE_AT_OR_BELOW) points += 2;
  else if (sentiment === 'NEGATIVE') points += 1;
  else if (sentiment === 'POSITIVE') points -= 1;

  if (features.messagesLast24h >= 3) points += 2;
  else if (features.messagesLast24h >= 2) points += 1;

  if (features.lifetimeOrderAmount >= HIGH_VALUE_LIFETIME_AMOUNT) points += intent === 'CANCELLATION' ? 2 : 1;

  return priorityFor(points);
}

function priorityFor(points: number): Priority {
  if (points >= 4) return 'P1';
  if (points === 3) return 'P2';
  if (points >= 1) return 'P3';
  return 'P4';
}
