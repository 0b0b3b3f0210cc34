import { decide, type FraudModel } from '@spine/fraud-model';
import { fraudProbability, fraudVector } from '@spine/model-adapters';
import type { ModelBinding } from '@spine/model-lifecycle';
import type { FraudDecision, PaymentTransactionEnriched } from '@spine/schemas';

/** What every fraud model version answers for a payment; remote and ONNX versions give no reasons. */
export interface FraudAnswer {
  readonly score: number;
  readonly decision: FraudDecision;
  readonly reasons: readonly string[];
}

/**
 * The fraud model as the model router sees it: every shipped version in process (`fraud-lr@<version>`), tensor backends
 * (ONNX, MLServer) through the feature vector and P(fraud) with the thresholds of `thresholdsOf`, agreement = same
 * decision, score = P(fraud).
 */
export function fraudModelBinding(models: readonly FraudModel[], thresholdsOf: FraudModel): ModelBinding<PaymentTransactionEnriched, FraudAnswer> {
  return {
    functions: Object.fromEntries(
      models.map((model) => [
        `${model.name}@${model.version}`,
        (input: PaymentTransactionEnriched): FraudAnswer => {
          const { score, decision, reasons } = model.score(input);
          return { score, decision, reasons };
        },
      ]),
    ),
    tensor: {
      encode: fraudVector,
      decode: (row) => {
        const score = fraudProbability(row);
        return { score, decision: decide(score, thresholdsOf.thresholds), reasons: [] };
      },
    },
    // The model sees only the feature vector: payments with the same vector share a cached answer.
    cacheKey: fraudVector,
    // Far from either threshold side is confident; 0.5 is a coin toss.
    confidence: (answer) => Math.abs(answer.score - 0.5) * 2,
    agree: (a, b) => a.decision === b.decision,
    score: (answer) => answer.score,
  };
}
