import naiveBayes from 'wink-naive-bayes-text-classifier';
import {
  calibratedProbabilities,
  logJoint,
  readLearnings,
  type IntentCalibration,
  type NaiveBayesLearnings,
} from './calibration.js';
import { prepareTokens } from './text-prep.js';
import { isIntent, type Intent } from './types.js';

export interface NaiveBayesSettings {
  considerOnlyPresence: boolean;
  smoothingFactor: number;
}

export interface IntentPrediction {
  /** The intent answered: the best label, or OTHER when the best label's probability is under the threshold. */
  intent: Intent;
  /** The probability for `intent`: wink's one-vs-rest odds (1.0.0), or the calibrated probability (with calibration). */
  confidence: number;
  /** The best label before the fallback to OTHER, with its probability (for evaluation and debugging). */
  top: { intent: Intent; probability: number };
}

/**
 * The classifier's prep task. Strings are prepared; token arrays pass through, because computeOdds() runs the prep
 * once per label and predict() therefore hands over tokens it prepared once.
 */
function prep(input: string | readonly string[]): readonly string[] {
  return typeof input === 'string' ? prepareTokens(input) : input;
}

/** An untrained classifier with the library's prep, for training. */
export function newNaiveBayes(settings: NaiveBayesSettings): naiveBayes.Classifier {
  const classifier = naiveBayes();
  classifier.defineConfig(settings);
  classifier.definePrepTasks([prep]);
  return classifier;
}

/**
 * wink's computeOdds() gives, per label, log2 of P(label | tokens) / P(not label | tokens) under its Naive Bayes
 * model (the other labels pooled). The logistic function turns those odds back into that probability.
 */
export function oddsToProbability(log2Odds: number): number {
  return 1 / (1 + 2 ** -log2Odds);
}

export class IntentClassifier {
  private constructor(
    private readonly nb: naiveBayes.Classifier,
    private readonly confidenceThreshold: number,
    private readonly calibrated?: { learnings: NaiveBayesLearnings; settings: IntentCalibration },
  ) {}

  /**
   * From the JSON string exportJSON() produced at training time (it carries the settings it was trained with). Without
   * `calibration` the classifier answers with wink's one-vs-rest odds exactly as model 1.0.0 always did; with it, with
   * the calibrated probabilities of calibration.ts.
   */
  static fromExport(exportedJson: string, confidenceThreshold: number, calibration?: IntentCalibration): IntentClassifier {
    const nb = naiveBayes();
    nb.definePrepTasks([prep]);
    nb.importJSON(exportedJson);
    nb.consolidate();
    const calibrated = calibration
      ? { learnings: readLearnings(JSON.parse(exportedJson) as unknown[]), settings: calibration }
      : undefined;
    return new IntentClassifier(nb, confidenceThreshold, calibrated);
  }

  predict(text: string): IntentPrediction {
    return this.calibrated ? this.predictCalibrated(text, this.calibrated) : this.predictWinkOdds(text);
  }

  /** Model 1.0.0's behaviour: kept unchanged so that version answers as it always has. */
  private predictWinkOdds(text: string): IntentPrediction {
    const odds = this.nb.computeOdds(prepareTokens(text));
    const probabilityOf = (intent: Intent): number => {
      const entry = odds.find(([label]) => label === intent);
      return entry ? oddsToProbability(entry[1]) : 0;
    };
    const [best] = odds;
    // 'unknown' (no token in the vocabulary) or a label outside the Intent set: nothing to go on.
    if (!best || !isIntent(best[0])) return { intent: 'OTHER', confidence: 0, top: { intent: 'OTHER', probability: 0 } };

    const top = { intent: best[0], probability: oddsToProbability(best[1]) };
    if (top.probability >= this.confidenceThreshold) return { intent: top.intent, confidence: top.probability, top };
    // Not confident enough to route: answer OTHER, with the classifier's own probability for OTHER.
    return { intent: 'OTHER', confidence: probabilityOf('OTHER'), top };
  }

  private predictCalibrated(
    text: string,
    { learnings, settings }: { learnings: NaiveBayesLearnings; settings: IntentCalibration },
  ): IntentPrediction {
    const { scores, n } = logJoint(learnings, prepareTokens(text));
    const nothing: IntentPrediction = { intent: 'OTHER', confidence: 0, top: { intent: 'OTHER', probability: 0 } };
    // No token in the vocabulary: nothing to go on (confidence 0, as with 1.0.0).
    if (n === 0) return nothing;

    const probabilities = calibratedProbabilities(scores, n, settings);
    let best = -1;
    probabilities.forEach((p, i) => {
      if (isIntent(learnings.labels[i] ?? '') && (best < 0 || p > (probabilities[best] ?? 0))) best = i;
    });
    const bestLabel = learnings.labels[best] ?? '';
    if (!isIntent(bestLabel)) return nothing;

    const top = { intent: bestLabel, probability: probabilities[best] ?? 0 };
    if (top.probability >= this.confidenceThreshold) return { intent: top.intent, confidence: top.probability, top };
    const other = learnings.labels.indexOf('OTHER');
    return { intent: 'OTHER', confidence: other >= 0 ? (probabilities[other] ?? 0) : 0, top };
  }
}
