/** Ranking and alerting metrics of fraud scores against 0/1 labels. Ties are handled as sklearn does. */

function check(scores: readonly number[], labels: readonly boolean[]): { positives: number; negatives: number } {
  if (scores.length !== labels.length) throw new Error('scores and labels differ in length');
  let positives = 0;
  for (const l of labels) if (l) positives += 1;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) throw new Error('need both fraud and genuine payments');
  return { positives, negatives };
}

/** Indices by score, highest first; equal scores keep input order. */
function descending(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** Area under the ROC curve: the probability a random fraud scores above a random genuine payment (ties count ½). */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const { positives, negatives } = check(scores, labels);
  const order = descending(scores);
  // Walk from the top: each genuine payment adds the frauds ranked above it, a tie group adds half its frauds.
  let frauds = 0;
  let area = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    let groupFrauds = 0;
    let groupGenuine = 0;
    const s = scores[order[i]!]!;
    while (j < order.length && scores[order[j]!] === s) {
      if (labels[order[j]!]) groupFrauds += 1;
      else groupGenuine += 1;
      j += 1;
    }
    area += groupGenuine * (frauds + groupFrauds / 2);
    frauds += groupFrauds;
    i = j;
  }
  return area / (positives * negatives);
}

/** Average precision (area under the precision-recall curve, step-wise): Σ (R_k − R_k−1) · P_k over score cuts. */
export function averagePrecision(scores: readonly number[], labels: readonly boolean[]): number {
  const { positives } = check(scores, labels);
  const order = descending(scores);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    let groupFrauds = 0;
    const s = scores[order[i]!]!;
    while (j < order.length && scores[order[j]!] === s) {
      if (labels[order[j]!]) groupFrauds += 1;
      j += 1;
    }
    seen += j - i;
    tp += groupFrauds;
    if (groupFrauds > 0) ap += (groupFrauds / positives) * (tp / seen);
    i = j;
  }
  return ap;
}

/** The lowest score among the top `rate` share of payments: alerting at score ≥ it flags that share (more on ties). */
export function thresholdAtAlertRate(scores: readonly number[], rate: number): number {
  if (scores.length === 0) throw new Error('no scores');
  if (!(rate > 0 && rate <= 1)) throw new Error(`alert rate must be in (0, 1], got ${rate}`);
  const sorted = [...scores].sort((a, b) => b - a);
  const k = Math.max(1, Math.ceil(rate * sorted.length));
  return sorted[k - 1]!;
}

export interface AlertStats {
  /** Payments with score ≥ threshold are alerted. */
  threshold: number;
  alerts: number;
  alertRate: number;
  truePositives: number;
  /** Of the alerts, the share that are fraud (0 without alerts). */
  precision: number;
  /** Of the frauds, the share alerted. */
  recall: number;
}

export function alertStats(scores: readonly number[], labels: readonly boolean[], threshold: number): AlertStats {
  const { positives } = check(scores, labels);
  let alerts = 0;
  let truePositives = 0;
  for (let i = 0; i < scores.length; i += 1) {
    if (scores[i]! >= threshold) {
      alerts += 1;
      if (labels[i]) truePositives += 1;
    }
  }
  return {
    threshold,
    alerts,
    alertRate: alerts / scores.length,
    truePositives,
    precision: alerts > 0 ? truePositives / alerts : 0,
    recall: truePositives / positives,
  };
}
