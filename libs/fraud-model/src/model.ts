import type { FraudDecision, PaymentTransactionReceived, TransactionFeatures } from '@spine/schemas';
import type { FraudArtifact } from './artifact.js';
import { sigmoid } from './logistic.js';
import { CATEGORY_PREFIX, FEATURE_NAMES, categoryColumn, featureVector } from './vector.js';

export interface FraudInput {
  transaction: PaymentTransactionReceived;
  features: TransactionFeatures;
}

export interface FraudOutput {
  /** Estimated probability of fraud, 0..1. */
  score: number;
  decision: FraudDecision;
  /** Up to 3 feature names that raised the score most, strongest first. */
  reasons: string[];
}

export interface FraudModel {
  readonly name: string;
  readonly version: string;
  /** Thresholds the decision follows: score ≥ decline → DECLINE, ≥ review → REVIEW, else APPROVE. */
  readonly thresholds: { readonly review: number; readonly decline: number };
  score(input: FraudInput): FraudOutput;
}

export const MAX_REASONS = 3;

export function decide(score: number, thresholds: { review: number; decline: number }): FraudDecision {
  if (score >= thresholds.decline) return 'DECLINE';
  if (score >= thresholds.review) return 'REVIEW';
  return 'APPROVE';
}

/**
 * A ready model from a validated artifact. score() is synchronous and pure: feature vector, standardisation, a dot
 * product and the reasons.
 *
 * Reasons: each column's contribution to the log-odds is weight × standardised value (its push away from the
 * average payment). The nine merchant-category columns are one input: their contributions are summed and reported
 * under the payment's own category (e.g. "merchantCategory=DIGITAL_GOODS"), never as "not GROCERY". Only positive
 * contributions are reasons, strongest first, at most three.
 */
export function createFraudModel(artifact: FraudArtifact): FraudModel {
  const { weights, mean, std, bias } = artifact;
  const d = FEATURE_NAMES.length;
  const firstCategory = FEATURE_NAMES.findIndex((n) => n.startsWith(CATEGORY_PREFIX));
  const thresholds = Object.freeze({ review: artifact.thresholds.review, decline: artifact.thresholds.decline });
  const contributions = new Float64Array(d);

  return {
    name: artifact.name,
    version: artifact.version,
    thresholds,
    score({ transaction, features }: FraudInput): FraudOutput {
      const x = featureVector(features, {
        amount: transaction.amount,
        merchantCategory: transaction.merchantCategory,
        channel: transaction.channel,
        occurredAt: transaction.metadata.occurredAt,
      });
      let logit = bias;
      for (let j = 0; j < d; j += 1) {
        const c = weights[j]! * ((x[j]! - mean[j]!) / std[j]!);
        contributions[j] = c;
        logit += c;
      }
      const score = sigmoid(logit);

      let category = 0;
      for (let j = firstCategory; j < d; j += 1) category += contributions[j]!;
      const own = categoryColumn(transaction.merchantCategory);
      const candidates: Array<{ j: number; c: number }> = [];
      for (let j = 0; j < firstCategory; j += 1) if (contributions[j]! > 0) candidates.push({ j, c: contributions[j]! });
      if (category > 0) candidates.push({ j: own, c: category });
      candidates.sort((a, b) => b.c - a.c || a.j - b.j);
      const reasons = candidates.slice(0, MAX_REASONS).map((r) => FEATURE_NAMES[r.j]!);

      return { score, decision: decide(score, thresholds), reasons };
    },
  };
}
