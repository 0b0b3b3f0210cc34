// Used by scripts/train.mjs (through dist/), not by the runtime: training happens offline, never at start-up.
import type { TriageArtifact } from './artifact.js';
import { MODEL_NAME } from './artifact.js';
import {
  calibratedProbabilities,
  CALIBRATION_METHOD,
  fitTemperature,
  logJoint,
  readLearnings,
  reliability,
  type Answer,
  type IntentCalibration,
  type ScoredExample,
} from './calibration.js';
import { HOLDOUT_RULE, splitDataset, type LabelledExample } from './dataset.js';
import { IntentClassifier, newNaiveBayes, type NaiveBayesSettings } from './intent.js';
import type { PriorityRules } from './priority.js';
import { isVersion } from './semver.js';
import type { SentimentRules } from './sentiment.js';
import { prepareTokens, PREP_ID } from './text-prep.js';
import { INTENTS } from './types.js';

/**
 * Presence-only features with half-Laplace smoothing: on a few hundred short messages, whether a word occurs says
 * more than how often, and add-one smoothing flattened the probabilities enough to push correct answers under the
 * OTHER threshold (5-fold cross-validation on the dataset, stems: 0.746 top-label accuracy for both).
 */
export const DEFAULT_SETTINGS: NaiveBayesSettings = { considerOnlyPresence: true, smoothingFactor: 0.5 };

/** A best label under even odds (below 0.5) is a guess; the margin keeps near-even winners routable. (Uncalibrated.) */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.45;

/** Calibration folds of the training split (5, as used to choose the smoothing). */
export const DEFAULT_CALIBRATION_FOLDS = 5;
/**
 * A calibrated model answers its best label, with a probability that means what it says: the OTHER fallback was a
 * workaround for confidences that did not, and answering OTHER with p(OTHER) breaks the calibration (those answers are
 * right far more often than p(OTHER) says). Routing can now set its own bar on intentConfidence.
 */
export const CALIBRATED_CONFIDENCE_THRESHOLD = 0;

export interface TrainOptions {
  version: string;
  examples: readonly LabelledExample[];
  datasetSha256: string;
  datasetPath: string;
  library: string;
  settings?: NaiveBayesSettings;
  /** OTHER-fallback threshold; by default 0.45 uncalibrated, 0 (no fallback) calibrated. */
  confidenceThreshold?: number;
  /** Calibrate the intent probabilities (default true); false trains a 1.0.0-style artifact. */
  calibrate?: boolean;
  folds?: number;
  /** Rules recorded in the artifact; default v2 when calibrated, none (= v1) otherwise. */
  sentimentRules?: SentimentRules;
  priorityRules?: PriorityRules;
  now?: Date;
}

/** Trains on the non-holdout examples only and measures on the holdout, so the recorded accuracy is honest. */
export function trainArtifact(options: TrainOptions): TriageArtifact {
  if (!isVersion(options.version)) throw new Error(`version must be MAJOR.MINOR.PATCH, got ${options.version}`);
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const { train, holdout } = splitDataset(options.examples);
  const missing = INTENTS.filter((intent) => !train.some((e) => e.intent === intent));
  if (missing.length > 0) throw new Error(`no training examples for ${missing.join(', ')}`);

  const exported = learn(settings, train);
  const calibrate = options.calibrate ?? true;
  let calibration: IntentCalibration | undefined;
  let confidenceThreshold = options.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  if (calibrate) {
    calibration = fitCalibration(settings, train, options.folds);
    confidenceThreshold = options.confidenceThreshold ?? CALIBRATED_CONFIDENCE_THRESHOLD;
  }

  const classifier = IntentClassifier.fromExport(exported, confidenceThreshold, calibration);
  const measured = evaluate(classifier, holdout);
  const rules = calibrate
    ? { sentimentRules: options.sentimentRules ?? 'v2', priorityRules: options.priorityRules ?? 'v2' }
    : { sentimentRules: options.sentimentRules, priorityRules: options.priorityRules };
  return {
    name: MODEL_NAME,
    version: options.version,
    trainedAt: (options.now ?? new Date()).toISOString(),
    labels: [...INTENTS],
    prep: PREP_ID,
    confidenceThreshold,
    datasetSha256: options.datasetSha256,
    dataset: {
      path: options.datasetPath,
      examples: options.examples.length,
      trainExamples: train.length,
      holdoutExamples: holdout.length,
      holdoutRule: HOLDOUT_RULE,
    },
    holdoutAccuracy: measured.accuracy,
    holdoutTopLabelAccuracy: measured.topLabelAccuracy,
    library: options.library,
    ...(calibration
      ? {
          calibration,
          holdoutMeanConfidence: measured.meanConfidence,
          holdoutCalibrationError: measured.calibrationError,
        }
      : {}),
    ...(rules.sentimentRules ? { sentimentRules: rules.sentimentRules } : {}),
    ...(rules.priorityRules ? { priorityRules: rules.priorityRules } : {}),
    classifier: JSON.parse(exported) as unknown[],
  };
}

function learn(settings: NaiveBayesSettings, examples: readonly LabelledExample[]): string {
  const nb = newNaiveBayes(settings);
  for (const example of examples) nb.learn(example.text, example.intent);
  return nb.exportJSON();
}

/**
 * Fits the calibration on the training split alone: k folds (0-based index % k), each scored by a classifier learnt on
 * the other folds. The reference length is the median number of known tokens of these out-of-fold messages, the length
 * the fit has most evidence for: up to it the data calibrates the answer, beyond it confidence stops growing with
 * length (see calibration.ts). The temperature makes the mean confidence of the out-of-fold answers equal their
 * accuracy (fitTemperature). The holdout is not used.
 */
export function fitCalibration(
  settings: NaiveBayesSettings,
  train: readonly LabelledExample[],
  folds = DEFAULT_CALIBRATION_FOLDS,
): IntentCalibration {
  const outOfFold: Array<ScoredExample & { labels: string[] }> = [];
  for (let fold = 0; fold < folds; fold += 1) {
    const learnings = readLearnings(
      JSON.parse(learn(settings, train.filter((_, i) => i % folds !== fold))) as unknown[],
    );
    train.forEach((example, i) => {
      if (i % folds !== fold) return;
      const { scores, n } = logJoint(learnings, prepareTokens(example.text));
      outOfFold.push({ scores, n, label: learnings.labels.indexOf(example.intent), labels: learnings.labels });
    });
  }
  const referenceTokens = Math.max(1, median(outOfFold.filter((e) => e.n > 0).map((e) => e.n)));
  const temperature = fitTemperature(outOfFold, referenceTokens);
  const measured = reliability(outOfFold.map((e) => answer(e, e.labels, { temperature, referenceTokens })));
  return {
    method: CALIBRATION_METHOD,
    temperature,
    referenceTokens,
    fit: {
      folds,
      objective: 'out-of-fold mean top-label probability = out-of-fold top-label accuracy',
      outOfFoldAccuracy: measured.accuracy,
      outOfFoldMeanConfidence: measured.meanConfidence,
      outOfFoldCalibrationError: measured.calibrationError,
    },
  };
}

/** The answer IntentClassifier's calibrated path gives (without OTHER fallback) for a scored example. */
function answer(
  e: ScoredExample,
  labels: readonly string[],
  settings: Pick<IntentCalibration, 'temperature' | 'referenceTokens'>,
): Answer {
  if (e.n === 0) return { confidence: 0, correct: e.label === labels.indexOf('OTHER') };
  const p = calibratedProbabilities(e.scores, e.n, settings);
  let top = 0;
  p.forEach((v, i) => {
    if (v > (p[top] ?? 0)) top = i;
  });
  return { confidence: p[top] ?? 0, correct: top === e.label };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export interface Evaluation {
  /** Share of examples whose answered intent (OTHER fallback included) is right. */
  accuracy: number;
  /** Share whose best label (before the fallback) is right. */
  topLabelAccuracy: number;
  /** Mean confidence of the answered intent. */
  meanConfidence: number;
  /** Expected calibration error of the answered intent's confidence (10 bins). */
  calibrationError: number;
  /** Share of answers with confidence ≥ 0.99. */
  shareAtLeast099: number;
}

export function evaluate(classifier: IntentClassifier, examples: readonly LabelledExample[]): Evaluation {
  if (examples.length === 0) throw new Error('no examples to evaluate on');
  let top = 0;
  const answers: Answer[] = [];
  for (const example of examples) {
    const prediction = classifier.predict(example.text);
    answers.push({ confidence: prediction.confidence, correct: prediction.intent === example.intent });
    if (prediction.top.intent === example.intent) top += 1;
  }
  return { ...reliability(answers), topLabelAccuracy: top / examples.length };
}
