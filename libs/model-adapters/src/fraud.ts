import { decide, featureVector, type FraudInput, type FraudModel, type FraudOutput } from '@spine/fraud-model';
import type { ModelAdapter } from './adapter.js';
import type { TensorRow } from './backends/tensors.js';
import { InvalidModelOutputError } from './errors.js';
import { mapAdapter } from './map-adapter.js';

/** What every fraud backend answers; the in-process model adds its reasons. */
export type FraudScore = Pick<FraudOutput, 'score' | 'decision'>;

/** The fraud model's input row for a payment (featureVector() in FEATURE_NAMES order), as the ONNX and MLServer exports take it. */
export function fraudVector({ transaction, features }: FraudInput): number[] {
  return featureVector(features, {
    amount: transaction.amount,
    merchantCategory: transaction.merchantCategory,
    channel: transaction.channel,
    occurredAt: transaction.metadata.occurredAt,
  });
}

/** P(fraud) of an output row: [P(legit), P(fraud)] (skl2onnx `probabilities`, MLServer `predict_proba`) or [P(fraud)]. */
export function fraudProbability(row: TensorRow): number {
  const p = row.length === 2 ? row[1] : row.length === 1 ? row[0] : undefined;
  if (p === undefined || !(p >= 0 && p <= 1)) throw new InvalidModelOutputError(`a fraud model must answer [P(legit), P(fraud)] or [P(fraud)] in 0..1; got [${row.join(', ')}]`);
  return p;
}

/** A tensor adapter (onnx, oip-v2) of the fraud model as payments in, score and decision out. */
export function fraudScoring(adapter: ModelAdapter<TensorRow, TensorRow>, thresholds: FraudModel['thresholds']): ModelAdapter<FraudInput, FraudScore> {
  return mapAdapter(adapter, {
    encode: fraudVector,
    decode: (row) => {
      const score = fraudProbability(row);
      return { score, decision: decide(score, thresholds) };
    },
  });
}
