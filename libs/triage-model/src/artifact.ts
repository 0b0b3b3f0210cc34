import { isVersion } from './semver.js';
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
  if (!Array.isArray(a.classifier) || a.classifier.length !== 5) fail('classifier must be wink exportJSON() output');
  return value as TriageArtifact;
}
