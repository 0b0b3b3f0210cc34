import type { FraudPattern } from './generator.js';
import type { AlertStats } from './metrics.js';
import { isVersion } from './semver.js';
import { FEATURE_NAMES } from './vector.js';

export const MODEL_NAME = 'fraud-lr';

/** Figures of one split (train or test) scored by the model. */
export interface SplitMetrics {
  /** Days of the period, 1-based and inclusive, e.g. "46-60". */
  days: string;
  transactions: number;
  frauds: number;
  fraudRate: number;
  rocAuc: number;
  /** PR-AUC as average precision. */
  averagePrecision: number;
  /** Alerting the split's own top 1 % of scores. */
  alertRate1pct: AlertStats;
  /** Alerting at score ≥ thresholds.review (REVIEW or DECLINE). */
  review: AlertStats;
  /** Alerting at score ≥ thresholds.decline. */
  decline: AlertStats;
  /** Recall of each fraud pattern at the review threshold. */
  recallAtReviewByPattern: Record<FraudPattern, { frauds: number; alerted: number; recall: number }>;
}

/** A trained model as shipped under models/fraud-lr-<version>.json. Holds no data, only coefficients and figures. */
export interface FraudArtifact {
  name: string;
  version: string;
  /** Column names of featureVector(); must equal this library's FEATURE_NAMES. */
  features: string[];
  /** Standardisation of the raw columns, fitted on the training split. */
  mean: number[];
  std: number[];
  /** Coefficients of the standardised columns. */
  weights: number[];
  bias: number;
  /** score ≥ decline → DECLINE; ≥ review → REVIEW; else APPROVE. */
  thresholds: { review: number; decline: number };
  training: {
    method: string;
    l2: number;
    iterations: number;
    trainDays: string;
    testDays: string;
    reviewAlertRate: number;
    declineAlertRate: number;
  };
  metrics: { train: SplitMetrics; test: SplitMetrics };
  data: {
    generator: string;
    seed: number;
    customers: number;
    cards: number;
    days: number;
    start: string;
    compromiseRate: number;
    transactions: number;
    frauds: number;
    fraudRate: number;
    fraudsByPattern: Record<FraudPattern, number>;
  };
}

export function artifactFileName(version: string): string {
  return `${MODEL_NAME}-${version}.json`;
}

/** The version in an artifact file name, or undefined for any other file. */
export function versionOfFileName(fileName: string): string | undefined {
  const match = /^fraud-lr-(.+)\.json$/.exec(fileName);
  return match?.[1] !== undefined && isVersion(match[1]) ? match[1] : undefined;
}

/** Checks what scoring relies on; `source` names the file in errors. Figures are kept as they are. */
export function parseFraudArtifact(value: unknown, source: string): FraudArtifact {
  const fail = (why: string): never => {
    throw new Error(`invalid fraud model artifact ${source}: ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const a = value as Partial<Record<keyof FraudArtifact, unknown>>;
  if (a.name !== MODEL_NAME) fail(`name is ${JSON.stringify(a.name)}, expected ${JSON.stringify(MODEL_NAME)}`);
  if (typeof a.version !== 'string' || !isVersion(a.version)) fail('version must be MAJOR.MINOR.PATCH');
  if (!Array.isArray(a.features) || a.features.join('\n') !== FEATURE_NAMES.join('\n')) {
    fail(`features must be this library's columns (${FEATURE_NAMES.length}: ${FEATURE_NAMES.join(', ')})`);
  }
  const numbers = (key: 'mean' | 'std' | 'weights'): void => {
    const v = a[key];
    if (!Array.isArray(v) || v.length !== FEATURE_NAMES.length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      fail(`${key} must be ${FEATURE_NAMES.length} finite numbers`);
    }
  };
  numbers('mean');
  numbers('std');
  numbers('weights');
  if (!(a.std as number[]).every((s) => s > 0)) fail('std must be positive');
  if (typeof a.bias !== 'number' || !Number.isFinite(a.bias)) fail('bias must be a finite number');
  const t = a.thresholds as { review?: unknown; decline?: unknown } | undefined;
  if (
    typeof t !== 'object' ||
    t === null ||
    typeof t.review !== 'number' ||
    typeof t.decline !== 'number' ||
    !(t.review > 0 && t.review <= t.decline && t.decline < 1)
  ) {
    fail('thresholds must satisfy 0 < review ≤ decline < 1');
  }
  return value as FraudArtifact;
}
