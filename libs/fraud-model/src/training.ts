import { MODEL_NAME, type FraudArtifact, type SplitMetrics } from './artifact.js';
import { DAY_MS } from './features.js';
import {
  FRAUD_PATTERNS,
  GENERATOR_ID,
  generateTransactions,
  resolveGeneratorOptions,
  toPaymentTransactionReceived,
  type FraudPattern,
  type GeneratorOptions,
} from './generator.js';
import { fitLogistic, fitStandardisation, standardise } from './logistic.js';
import { alertStats, averagePrecision, rocAuc, thresholdAtAlertRate } from './metrics.js';
import { createFraudModel, type FraudModel } from './model.js';
import { replayFeatures, type FeatureRow } from './replay.js';
import { FEATURE_NAMES, featureVector } from './vector.js';

export const TRAIN_DAYS = 45;
export const REVIEW_ALERT_RATE = 0.02;
export const DECLINE_ALERT_RATE = 0.003;
export const DEFAULT_L2 = 10;

export interface Dataset {
  options: Required<GeneratorOptions>;
  rows: FeatureRow[];
  /** Payments at or after this instant (day TRAIN_DAYS + 1, 00:00 UTC) are the test split. */
  splitAt: Date;
  train: FeatureRow[];
  test: FeatureRow[];
  cards: number;
}

/** Generates the payments, replays them through transactionFeatures() in time order and splits them by day. */
export function buildDataset(options: GeneratorOptions = {}, trainDays = TRAIN_DAYS): Dataset {
  const o = resolveGeneratorOptions(options);
  const rows = replayFeatures(generateTransactions(o));
  const splitAt = new Date(Date.parse(o.start) + trainDays * DAY_MS);
  const train: FeatureRow[] = [];
  const test: FeatureRow[] = [];
  for (const row of rows) (row.tx.occurredAt < splitAt ? train : test).push(row);
  const cards = new Set(rows.map((r) => r.tx.cardId)).size;
  return { options: o, rows, splitAt, train, test, cards };
}

/** Scores of rows by the model's public score(), as serving computes them. */
export function scoreRows(model: FraudModel, rows: readonly FeatureRow[]): number[] {
  return rows.map((r) => model.score({ transaction: toPaymentTransactionReceived(r.tx), features: r.features }).score);
}

function countFrauds(rows: readonly FeatureRow[]): number {
  let n = 0;
  for (const r of rows) if (r.tx.isFraud) n += 1;
  return n;
}

/** Every figure of a split, from the scores of its rows (same order). */
export function splitMetrics(
  rows: readonly FeatureRow[],
  scores: readonly number[],
  thresholds: { review: number; decline: number },
  days: string,
): SplitMetrics {
  const labels = rows.map((r) => r.tx.isFraud);
  const frauds = countFrauds(rows);
  const byPattern = {} as SplitMetrics['recallAtReviewByPattern'];
  for (const pattern of FRAUD_PATTERNS) {
    let total = 0;
    let alerted = 0;
    rows.forEach((r, i) => {
      if (r.tx.fraudPattern !== pattern) return;
      total += 1;
      if (scores[i]! >= thresholds.review) alerted += 1;
    });
    byPattern[pattern] = { frauds: total, alerted, recall: total > 0 ? alerted / total : 0 };
  }
  return {
    days,
    transactions: rows.length,
    frauds,
    fraudRate: frauds / rows.length,
    rocAuc: rocAuc(scores, labels),
    averagePrecision: averagePrecision(scores, labels),
    alertRate1pct: alertStats(scores, labels, thresholdAtAlertRate(scores, 0.01)),
    review: alertStats(scores, labels, thresholds.review),
    decline: alertStats(scores, labels, thresholds.decline),
    recallAtReviewByPattern: byPattern,
  };
}

export interface TrainOptions extends GeneratorOptions {
  version: string;
  l2?: number;
}

/** Trains on days 1–45, sets thresholds by training alert rates, evaluates on days 46–60. Deterministic. */
export function trainFraudModel(options: TrainOptions, dataset: Dataset = buildDataset(options)): FraudArtifact {
  const l2 = options.l2 ?? DEFAULT_L2;
  const { train, test } = dataset;
  const xTrain = train.map((r) => featureVector(r.features, r.tx));
  const s = fitStandardisation(xTrain);
  const zTrain = xTrain.map((x) => standardise(x, s));
  const fit = fitLogistic(
    zTrain,
    train.map((r) => (r.tx.isFraud ? 1 : 0)),
    { l2 },
  );

  const draft: FraudArtifact = {
    name: MODEL_NAME,
    version: options.version,
    features: [...FEATURE_NAMES],
    mean: s.mean,
    std: s.std,
    weights: fit.weights,
    bias: fit.bias,
    thresholds: { review: 0.5, decline: 0.5 },
    training: {
      method: 'logistic regression, L2, Newton/IRLS on standardised columns',
      l2,
      iterations: fit.iterations,
      trainDays: `1-${TRAIN_DAYS}`,
      testDays: `${TRAIN_DAYS + 1}-${dataset.options.days}`,
      reviewAlertRate: REVIEW_ALERT_RATE,
      declineAlertRate: DECLINE_ALERT_RATE,
    },
    metrics: undefined as unknown as FraudArtifact['metrics'],
    data: undefined as unknown as FraudArtifact['data'],
  };
  const trainScores = scoreRows(createFraudModel(draft), train);
  const thresholds = {
    review: thresholdAtAlertRate(trainScores, REVIEW_ALERT_RATE),
    decline: thresholdAtAlertRate(trainScores, DECLINE_ALERT_RATE),
  };
  const model = createFraudModel({ ...draft, thresholds });
  const testScores = scoreRows(model, test);

  const fraudsByPattern = Object.fromEntries(FRAUD_PATTERNS.map((p) => [p, 0])) as Record<FraudPattern, number>;
  for (const r of dataset.rows) if (r.tx.fraudPattern !== null) fraudsByPattern[r.tx.fraudPattern] += 1;
  const frauds = countFrauds(dataset.rows);
  const o = dataset.options;

  return {
    ...draft,
    thresholds,
    metrics: {
      train: splitMetrics(train, trainScores, thresholds, draft.training.trainDays),
      test: splitMetrics(test, testScores, thresholds, draft.training.testDays),
    },
    data: {
      generator: GENERATOR_ID,
      seed: o.seed,
      customers: o.customers,
      cards: dataset.cards,
      days: o.days,
      start: o.start,
      compromiseRate: o.compromiseRate,
      transactions: dataset.rows.length,
      frauds,
      fraudRate: frauds / dataset.rows.length,
      fraudsByPattern,
    },
  };
}
