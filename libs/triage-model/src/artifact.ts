import { CALIBRATION_METHOD, type IntentCalibration } from './calibration.js';
import { PRIORITY_RULES, type PriorityRules } from './priority.js';
import { isVersion } from './semver.js';
import { SENTIMENT_RULES, type SentimentRules } from './sentiment.js';
import { PREP_ID } from './text-prep.js';
import { INTENTS, isIntent, type Intent } from './types.js';

export const MODEL_NAME = 'support-triage';

/** A trained model as checked in under models/: wink's exported learnings plus what is needed to trust and use them. */
export interface TriageArtifact {
  name: string;
  version: string;
  /** ISO 8601. */
  trainedAt: string;
  labels: Intent[];
  /** Text preparation the classifier was trained with; must equal PREP_ID to be loadable. */
  prep: string;
  /** Below this probability for the best label the model answers OTHER. */
  confidenceThreshold: number;
  /** sha256 of data/intents.jsonl as trained on: a dataset change without retraining shows up as a mismatch. */
  datasetSha256: string;
  dataset: { path: string; examples: number; trainExamples: number; holdoutExamples: number; holdoutRule: string };
  /** Accuracy of the answered intent (OTHER fallback included) on the holdout examples, never trained on. */
  holdoutAccuracy: number;
  /** Accuracy of the best label alone, before the OTHER fallback. */
  holdoutTopLabelAccuracy: number;
  /** Which classifier produced `classifier`. */
  library: string;
  /**
   * Calibrated intent probabilities (1.1.0+, see calibration.ts). Absent (1.0.0): the confidence is wink's one-vs-rest
   * probability, as 1.0.0 always answered.
   */
  calibration?: IntentCalibration;
  /** Mean confidence of the answered intent on the holdout, and its expected calibration error (1.1.0+). */
  holdoutMeanConfidence?: number;
  holdoutCalibrationError?: number;
  /** Sentiment rules (sentiment.ts); absent means "v1", the rules of 1.0.0. */
  sentimentRules?: SentimentRules;
  /** Priority rules (priority.ts); absent means "v1", the rules of 1.0.0. */
  priorityRules?: PriorityRules;
  /** wink-naive-bayes-text-classifier exportJSON(), parsed: [config, samples, counts, words, vocabulary]. */
  classifier: unknown[];
}

export function artifactFileName(version: string): string {
  return `triage-intent-${version}.json`;
}

/** The version in an artifact file name, or undefined for any other file. */
export function versionOfFileName(fileName: string): string | undefined {
  const match = /^triage-intent-(.+)\.json$/.exec(fileName);
  return match?.[1] !== undefined && isVersion(match[1]) ? match[1] : undefined;
}

/** Checks the shape and the invariants the runtime relies on; `source` names the file in errors. */
export function parseArtifact(value: unknown, source: string): TriageArtifact {
  const fail = (why: string): never => {
    throw new Error(`invalid triage model artifact ${source}: ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const a = value as Partial<Record<keyof TriageArtifact, unknown>>;

  if (a.name !== MODEL_NAME) fail(`name is ${JSON.stringify(a.name)}, expected ${JSON.stringify(MODEL_NAME)}`);
  if (typeof a.version !== 'string' || !isVersion(a.version)) fail('version must be MAJOR.MINOR.PATCH');
  if (typeof a.trainedAt !== 'string' || Number.isNaN(Date.parse(a.trainedAt))) fail('trainedAt must be an ISO date');
  if (!Array.isArray(a.labels) || !a.labels.every((l): l is Intent => typeof l === 'string' && isIntent(l))) {
    fail('labels must be intents');
  }
  const labels = a.labels as Intent[];
  const missing = INTENTS.filter((intent) => !labels.includes(intent));
  if (missing.length > 0) fail(`labels lack ${missing.join(', ')}`);
  if (a.prep !== PREP_ID) fail(`trained with text prep ${JSON.stringify(a.prep)}, this library prepares ${PREP_ID}`);
  if (typeof a.confidenceThreshold !== 'number' || a.confidenceThreshold < 0 || a.confidenceThreshold > 1) {
    fail('confidenceThreshold must be within 0..1');
  }
  if (typeof a.datasetSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(a.datasetSha256)) fail('datasetSha256 missing');
  if (typeof a.dataset !== 'object' || a.dataset === null) fail('dataset missing');
  for (const key of ['holdoutAccuracy', 'holdoutTopLabelAccuracy'] as const) {
    const v = a[key];
    if (typeof v !== 'number' || v < 0 || v > 1) fail(`${key} must be within 0..1`);
  }
  if (typeof a.library !== 'string') fail('library missing');
  if (a.calibration !== undefined) checkCalibration(a.calibration, fail);
  for (const key of ['holdoutMeanConfidence', 'holdoutCalibrationError'] as const) {
    const v = a[key];
    if (v !== undefined && (typeof v !== 'number' || v < 0 || v > 1)) fail(`${key} must be within 0..1`);
  }
  // A rules version this library does not know must not silently run with other rules.
  if (a.sentimentRules !== undefined && !(SENTIMENT_RULES as readonly unknown[]).includes(a.sentimentRules)) {
    fail(`sentimentRules ${JSON.stringify(a.sentimentRules)} unknown to this library (knows ${SENTIMENT_RULES.join(', ')})`);
  }
  if (a.priorityRules !== undefined && !(PRIORITY_RULES as readonly unknown[]).includes(a.priorityRules)) {
    fail(`priorityRules ${JSON.stringify(a.priorityRules)} unknown to this library (knows ${PRIORITY_RULES.join(', ')})`);
  }
  if (!Array.isArray(a.classifier) || a.classifier.length !== 5) fail('classifier must be wink exportJSON() output');
  return value as TriageArtifact;
}

function checkCalibration(value: unknown, fail: (why: string) => never): void {
  if (typeof value !== 'object' || value === null) return fail('calibration must be an object');
  const c = value as Partial<Record<keyof IntentCalibration, unknown>>;
  if (c.method !== CALIBRATION_METHOD) fail(`calibration.method ${JSON.stringify(c.method)} unknown to this library`);
  if (typeof c.temperature !== 'number' || !Number.isFinite(c.temperature) || c.temperature <= 0) {
    fail('calibration.temperature must be a positive number');
  }
  if (typeof c.referenceTokens !== 'number' || !Number.isFinite(c.referenceTokens) || c.referenceTokens < 1) {
    fail('calibration.referenceTokens must be a number ≥ 1');
  }
}
