import naiveBayes from 'wink-naive-bayes-text-classifier';
import { prepareTokens } from './text-prep.js';
import { isIntent, type Intent } from './types.js';

export interface NaiveBayesSettings {
  considerOnlyPresence: boolean;
  smoothingFactor: number;
}

export interface IntentPrediction {
  /** The intent answered: the best label, or OTHER when the best label's probability is under the threshold. */
  intent: Intent;
  /** The classifier's probability for `intent`. */
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
  ) {}

  /** From the JSON string exportJSON() produced at training time (it carries the settings it was trained with). */
  static fromExport(exportedJson: string, confidenceThreshold: number): IntentClassifier {
    const nb = naiveBayes();
    nb.definePrepTasks([prep]);
    nb.importJSON(exportedJson);
    nb.consolidate();
    return new IntentClassifier(nb, confidenceThreshold);
  }

  predict(text: string): IntentPrediction {
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
}
