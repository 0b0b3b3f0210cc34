import { readFile } from 'node:fs/promises';
import { artifactFileName, parseArtifact, type TriageArtifact } from './artifact.js';
import {
  calibratedProbabilities,
  expectedCalibrationError,
  fitTemperature,
  reliability,
  type Answer,
  type ScoredExample,
} from './calibration.js';
import { parseDataset, sha256Hex, splitDataset, type LabelledExample } from './dataset.js';
import { loadTriageModel } from './model-loader.js';
import { trainArtifact } from './training.js';
import type { TriageModel } from './types.js';

const root = new URL('../', import.meta.url);
const features = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 80, lifetimeOrderAmount: 0 };
/** The brief for 1.1.0: on the holdout, mean confidence within ±0.1 of accuracy. */
const MAX_HOLDOUT_CONFIDENCE_GAP = 0.1;

let raw: Buffer;
let examples: LabelledExample[];
let holdout: LabelledExample[];
let artifact: TriageArtifact;
let v100: TriageModel;
let v110: TriageModel;
let longMessages: Array<{ subject?: string; text: string }>;

beforeAll(async () => {
  raw = await readFile(new URL('data/intents.jsonl', root));
  examples = parseDataset(raw.toString('utf8'));
  ({ holdout } = splitDataset(examples));
  const file = new URL(`models/${artifactFileName('1.1.0')}`, root);
  artifact = parseArtifact(JSON.parse(await readFile(file, 'utf8')), file.pathname);
  v100 = await loadTriageModel({ version: '1.0.0' });
  v110 = await loadTriageModel({ version: '1.1.0' });
  // The demo and benchmark messages: several sentences each, unlike the dataset's one-liners.
  const messages = JSON.parse(await readFile(new URL('fixtures/messages.json', root), 'utf8')) as Array<{
    subject?: string;
    text: string;
  }>;
  longMessages = messages.filter((m) => m.text.split(/\s+/).length >= 15);
});

function answers(model: TriageModel, set: readonly LabelledExample[]): Answer[] {
  return set.map((e) => {
    const { intent, intentConfidence } = model.classify({ text: e.text, features });
    return { confidence: intentConfidence, correct: intent === e.intent };
  });
}

describe('calibrated probabilities', () => {
  const scores = [-10, -12, -15];

  it('are a distribution over the labels, and all zero without a known token', () => {
    const p = calibratedProbabilities(scores, 3, { temperature: 0.5, referenceTokens: 4 });
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[0]).toBeGreaterThan(p[1] ?? 1);
    expect(calibratedProbabilities(scores, 0, { temperature: 0.5, referenceTokens: 4 })).toEqual([0, 0, 0]);
  });

  it('get less sure as the temperature rises, and stop growing with length beyond the reference length', () => {
    // n tokens that each carry the same evidence: the log joint grows linearly with n.
    const top = (temperature: number, n: number, referenceTokens: number) =>
      calibratedProbabilities(scores.map((s) => (s * n) / 10), n, { temperature, referenceTokens })[0] ?? 0;
    expect(top(2, 2, 4)).toBeLessThan(top(1, 2, 4));
    // Up to the reference length, more evidence means more confidence (plain temperature scaling) …
    expect(top(1, 4, 4)).toBeGreaterThan(top(1, 2, 4));
    // … beyond it, none: a 40-token message is as sure as a 4-token one with the same evidence per token.
    expect(top(1, 40, 4)).toBeCloseTo(top(1, 4, 4), 12);
    expect(top(1, 40, 1e9)).toBeGreaterThan(0.99); // what no reference length (1.0.0-like saturation) would do
  });

  it('fit a temperature at which the mean confidence equals the accuracy', () => {
    // Three examples right, one wrong: accuracy 0.75.
    const fitted: ScoredExample[] = [
      { scores: [-1, -3], n: 1, label: 0 },
      { scores: [-1, -2], n: 1, label: 0 },
      { scores: [-2, -1.5], n: 1, label: 1 },
      { scores: [-1, -1.2], n: 1, label: 1 },
    ];
    const temperature = fitTemperature(fitted, 4);
    const confidence = fitted.map((e) =>
      Math.max(...calibratedProbabilities(e.scores, e.n, { temperature, referenceTokens: 4 })),
    );
    expect(confidence.reduce((a, b) => a + b, 0) / confidence.length).toBeCloseTo(0.75, 6);
  });

  it('expected calibration error: 0 when confidence is accuracy, large when always sure and often wrong', () => {
    const half = (confidence: number): Answer[] => [
      ...Array<Answer>(4).fill({ confidence, correct: true }),
      ...Array<Answer>(4).fill({ confidence, correct: false }),
    ];
    expect(expectedCalibrationError(half(0.5))).toBe(0);
    expect(expectedCalibrationError(half(0.95))).toBeCloseTo(0.45, 12);
    expect(expectedCalibrationError(Array<Answer>(10).fill({ confidence: 1, correct: false }))).toBe(1);
    const measured = reliability([
      { confidence: 0.995, correct: true },
      { confidence: 0.5, correct: false },
    ]);
    expect(measured.accuracy).toBe(0.5);
    expect(measured.meanConfidence).toBeCloseTo(0.7475, 12);
    expect(measured.calibrationError).toBeCloseTo((0.005 + 0.5) / 2, 12);
    expect(measured.shareAtLeast099).toBe(0.5);
  });
});

describe('model 1.1.0 intent confidence', () => {
  it('tracks accuracy on the holdout: mean confidence within ±0.1 of accuracy, as recorded in the artifact', () => {
    const measured = reliability(answers(v110, holdout));
    expect(Math.abs(measured.meanConfidence - measured.accuracy)).toBeLessThanOrEqual(MAX_HOLDOUT_CONFIDENCE_GAP);
    // As recorded in the artifact by the training run.
    expect(measured.accuracy).toBeCloseTo(artifact.holdoutAccuracy, 10);
    expect(measured.meanConfidence).toBeCloseTo(artifact.holdoutMeanConfidence ?? NaN, 10);
    expect(measured.calibrationError).toBeCloseTo(artifact.holdoutCalibrationError ?? NaN, 10);
  });

  it('is no longer ≥ 0.99 for most messages: the long demo and benchmark messages, and the holdout', () => {
    const share = (model: TriageModel, texts: ReadonlyArray<{ subject?: string; text: string }>) =>
      texts.filter((t) => model.classify({ ...t, features }).intentConfidence >= 0.99).length / texts.length;
    expect(longMessages.length).toBeGreaterThanOrEqual(10);
    // 1.0.0: saturated on every multi-sentence message — the weakness this version fixes.
    expect(share(v100, longMessages)).toBeGreaterThan(0.9);
    expect(share(v110, longMessages)).toBeLessThan(0.5);
    expect(share(v110, holdout)).toBeLessThan(0.25);
    // And it spreads: the less clear-cut of them get visibly lower confidence.
    const confidences = longMessages.map((t) => v110.classify({ ...t, features }).intentConfidence);
    expect(Math.min(...confidences)).toBeLessThan(0.8);
  });

  it('ranks: on the holdout, its more confident half of the answers is right more often than the other half', () => {
    const all = answers(v110, holdout).sort((a, b) => b.confidence - a.confidence);
    const half = Math.floor(all.length / 2);
    const accuracy = (set: Answer[]) => set.filter((a) => a.correct).length / set.length;
    expect(accuracy(all.slice(0, half))).toBeGreaterThan(accuracy(all.slice(half)) + 0.1);
  });

  it('answers the holdout at least as accurately as 1.0.0', () => {
    const accuracy = (model: TriageModel) => reliability(answers(model, holdout)).accuracy;
    expect(accuracy(v110)).toBeGreaterThanOrEqual(accuracy(v100));
  });
});

describe('the shipped 1.1.0 artifact', () => {
  const retrain = (set: readonly LabelledExample[]) =>
    trainArtifact({
      version: '1.1.0',
      examples: set,
      datasetSha256: sha256Hex(raw),
      datasetPath: 'data/intents.jsonl',
      library: artifact.library,
    });

  it('is what the training code produces from the dataset (no hand-tuned numbers)', () => {
    const again = retrain(examples);
    expect({ ...again, trainedAt: artifact.trainedAt }).toEqual(artifact);
  });

  it('is 1.0.0 when trained without calibration: the training code still reproduces the released version', async () => {
    const file = new URL(`models/${artifactFileName('1.0.0')}`, root);
    const released = parseArtifact(JSON.parse(await readFile(file, 'utf8')), file.pathname);
    const again = trainArtifact({
      version: '1.0.0',
      examples,
      datasetSha256: sha256Hex(raw),
      datasetPath: 'data/intents.jsonl',
      library: released.library,
      calibrate: false,
    });
    expect({ ...again, trainedAt: released.trainedAt }).toEqual(released);
  });

  it('chose its temperature and threshold without looking at the holdout', () => {
    // Same training split, holdout messages replaced: the calibration must not move.
    const scrambled = examples.map((e, i) => (i % 5 === 4 ? { text: `unrelated holdout text ${i}`, intent: e.intent } : e));
    const again = retrain(scrambled);
    expect(again.calibration).toEqual(artifact.calibration);
    expect(again.confidenceThreshold).toBe(artifact.confidenceThreshold);
    expect(again.classifier).toEqual(artifact.classifier);
  });
});
