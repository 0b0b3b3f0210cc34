/**
 * Calibrated intent probabilities (model 1.1.0 and later).
 *
 * wink's computeOdds() (used as is by 1.0.0) scores each label against all other labels pooled and sums one log term
 * per token, so the odds grow linearly with the message length: a 15-word message gets 0.99+ for whatever label wins.
 * Here the same learnings are read as the multinomial Naive Bayes they are — per label, the log joint
 * ln P(label) + Σ ln P(token | label) over the message's distinct known tokens — and turned into probabilities with a
 * length-normalised, tempered softmax:
 *
 *   p(label) = softmax_label( logJoint(label) / (T · max(1, n / nRef)) )
 *
 * n is the number of distinct known tokens. Up to nRef tokens (the median of the training messages, see training.ts)
 * this is plain temperature scaling, fitted where there is labelled data. A longer message counts as nRef tokens of
 * its average per-token evidence (nRef × the geometric mean of its likelihoods): Naive Bayes treats the words of a
 * long message as independent evidence and grows overconfident with length, and the dataset has no long messages to
 * calibrate that on. T is fitted on the training split's cross-validation folds so that the mean confidence matches
 * the accuracy there (fitTemperature()).
 */

/** Calibration settings carried by an artifact; their presence selects the calibrated scoring. */
export interface IntentCalibration {
  method: typeof CALIBRATION_METHOD;
  temperature: number;
  /** nRef: messages with more known tokens are scored per token, scaled to this many (1 = geometric mean). */
  referenceTokens: number;
  /** How the temperature was chosen and what it achieved there (out-of-fold, on the training split only). */
  fit: {
    folds: number;
    objective: string;
    outOfFoldAccuracy: number;
    outOfFoldMeanConfidence: number;
    outOfFoldCalibrationError: number;
  };
}

export const CALIBRATION_METHOD = 'nb-log-joint-length-normalised-softmax';

/** wink-naive-bayes-text-classifier's exported learnings, indexed for scoring. */
export interface NaiveBayesLearnings {
  labels: string[];
  logPrior: number[];
  /** Per label: token → number of training examples (or occurrences) with it. */
  counts: Array<Map<string, number>>;
  /** Per label: the total count, the denominator of the smoothed likelihood. */
  totals: number[];
  vocabulary: Set<string>;
  smoothingFactor: number;
  considerOnlyPresence: boolean;
}

/** From wink's exportJSON(), parsed: [config, samples, counts, words, vocabulary]. */
export function readLearnings(exported: readonly unknown[]): NaiveBayesLearnings {
  const [config, samples, counts, words, vocabulary] = exported as [
    { smoothingFactor?: unknown; considerOnlyPresence?: unknown },
    Record<string, number>,
    Record<string, Record<string, number>>,
    Record<string, number>,
    string[],
  ];
  const smoothingFactor = config.smoothingFactor;
  if (typeof smoothingFactor !== 'number' || !(smoothingFactor > 0)) {
    throw new Error('calibrated scoring needs a classifier trained with a smoothing factor above 0');
  }
  const labels = Object.keys(samples);
  const sampleTotal = labels.reduce((sum, label) => sum + (samples[label] ?? 0), 0);
  return {
    labels,
    logPrior: labels.map((label) => Math.log((samples[label] ?? 0) / sampleTotal)),
    counts: labels.map((label) => new Map(Object.entries(counts[label] ?? {}))),
    totals: labels.map((label) => words[label] ?? 0),
    vocabulary: new Set(vocabulary),
    smoothingFactor,
    considerOnlyPresence: config.considerOnlyPresence === true,
  };
}

/**
 * Per label, ln P(label) + Σ ln P(token | label) with wink's additive smoothing, over the known tokens (each once when
 * the classifier counted presence only, as it was trained). `n` is how many tokens entered the sum.
 */
export function logJoint(learnings: NaiveBayesLearnings, tokens: readonly string[]): { scores: number[]; n: number } {
  const known = tokens.filter((token) => learnings.vocabulary.has(token));
  const used = learnings.considerOnlyPresence ? [...new Set(known)] : known;
  const alpha = learnings.smoothingFactor;
  const vocabularySize = learnings.vocabulary.size;
  const scores = learnings.labels.map((_, i) => {
    const counts = learnings.counts[i] ?? new Map<string, number>();
    const denominator = Math.log((learnings.totals[i] ?? 0) + vocabularySize * alpha);
    let score = learnings.logPrior[i] ?? 0;
    for (const token of used) score += Math.log((counts.get(token) ?? 0) + alpha) - denominator;
    return score;
  });
  return { scores, n: used.length };
}

/** The tempered, length-normalised softmax over logJoint() scores; all zeros when no token was known (n = 0). */
export function calibratedProbabilities(
  scores: readonly number[],
  n: number,
  settings: Pick<IntentCalibration, 'temperature' | 'referenceTokens'>,
): number[] {
  if (n === 0) return scores.map(() => 0);
  const divisor = settings.temperature * Math.max(1, n / settings.referenceTokens);
  const z = scores.map((s) => s / divisor);
  const max = Math.max(...z);
  const exp = z.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((v) => v / sum);
}

/** One scored message: the per-label log joint, the token count, and the index of the right label. */
export interface ScoredExample {
  scores: number[];
  n: number;
  label: number;
}

function topOf(probabilities: readonly number[]): { index: number; probability: number } {
  let index = 0;
  for (let i = 1; i < probabilities.length; i += 1) if ((probabilities[i] ?? 0) > (probabilities[index] ?? 0)) index = i;
  return { index, probability: probabilities[index] ?? 0 };
}

/**
 * The temperature at which the mean top-label probability equals the top-label accuracy on `examples` (out-of-fold
 * predictions of the training split). The argmax does not depend on T, and the top probability falls as T grows, so a
 * bisection on ln T finds it. Messages without a known token are left out: T does not touch them.
 */
export function fitTemperature(examples: readonly ScoredExample[], referenceTokens: number): number {
  const scored = examples.filter((e) => e.n > 0);
  if (scored.length === 0) throw new Error('no examples with known tokens to fit a temperature on');
  const accuracy =
    scored.filter((e) => topOf(calibratedProbabilities(e.scores, e.n, { temperature: 1, referenceTokens })).index === e.label)
      .length / scored.length;
  const meanConfidence = (temperature: number) =>
    scored.reduce(
      (sum, e) => sum + topOf(calibratedProbabilities(e.scores, e.n, { temperature, referenceTokens })).probability,
      0,
    ) / scored.length;
  let lo = Math.log(1e-4);
  let hi = Math.log(1e4);
  for (let i = 0; i < 100; i += 1) {
    const mid = (lo + hi) / 2;
    if (meanConfidence(Math.exp(mid)) > accuracy) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Confidence of an answer and whether it was right: the pairs calibration is judged on. */
export interface Answer {
  confidence: number;
  correct: boolean;
}

/** Number of equal-width confidence bins of expectedCalibrationError(). */
export const CALIBRATION_BINS = 10;

/**
 * Expected calibration error: answers binned by confidence into CALIBRATION_BINS equal-width bins, the mean
 * |accuracy − mean confidence| of each bin, weighted by the bin's share of answers. 0 is perfectly calibrated.
 */
export function expectedCalibrationError(answers: readonly Answer[]): number {
  if (answers.length === 0) return 0;
  const bins = Array.from({ length: CALIBRATION_BINS }, () => ({ n: 0, confidence: 0, correct: 0 }));
  for (const { confidence, correct } of answers) {
    const bin = bins[Math.min(CALIBRATION_BINS - 1, Math.floor(confidence * CALIBRATION_BINS))];
    if (!bin) continue;
    bin.n += 1;
    bin.confidence += confidence;
    bin.correct += correct ? 1 : 0;
  }
  return bins.reduce((sum, bin) => sum + Math.abs(bin.confidence - bin.correct), 0) / answers.length;
}

/** Accuracy, mean confidence, calibration error and the share of answers at 0.99 or more. */
export function reliability(answers: readonly Answer[]): {
  accuracy: number;
  meanConfidence: number;
  calibrationError: number;
  shareAtLeast099: number;
} {
  const n = answers.length || 1;
  return {
    accuracy: answers.filter((a) => a.correct).length / n,
    meanConfidence: answers.reduce((sum, a) => sum + a.confidence, 0) / n,
    calibrationError: expectedCalibrationError(answers),
    shareAtLeast099: answers.filter((a) => a.confidence >= 0.99).length / n,
  };
}
