import { readFile } from 'node:fs/promises';
import { artifactFileName, parseArtifact, type TriageArtifact } from './artifact.js';
import { parseDataset, sha256Hex, splitDataset, type LabelledExample } from './dataset.js';
import { listModelVersions, loadTriageModel } from './model-loader.js';
import { INTENTS, type TriageModel } from './types.js';

// The shipped dataset and the newest shipped artifact: the pair a release is made of.
const datasetUrl = new URL('../data/intents.jsonl', import.meta.url);
const modelsUrl = new URL('../models/', import.meta.url);
const MIN_HOLDOUT_ACCURACY = 0.7;
const features = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 80, lifetimeOrderAmount: 0 };

let raw: Buffer;
let examples: LabelledExample[];
let artifact: TriageArtifact;
let model: TriageModel;

beforeAll(async () => {
  raw = await readFile(datasetUrl);
  examples = parseDataset(raw.toString('utf8'));
  const versions = await listModelVersions();
  const newest = versions[versions.length - 1] ?? '';
  const file = new URL(artifactFileName(newest), modelsUrl);
  artifact = parseArtifact(JSON.parse(await readFile(file, 'utf8')), file.pathname);
  model = await loadTriageModel();
});

const classify = (text: string) => model.classify({ text, features });

describe('the intent dataset', () => {
  it('has every intent, each with at least 30 examples, and no duplicate messages', () => {
    const count = (intent: string) => examples.filter((e) => e.intent === intent).length;
    expect(INTENTS.filter((intent) => count(intent) < 30)).toEqual([]);
    expect(new Set(examples.map((e) => e.intent)).size).toBe(INTENTS.length);
    const texts = examples.map((e) => e.text.trim().toLowerCase());
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('is the dataset the newest artifact was trained on (retrain after changing it)', () => {
    expect(artifact.datasetSha256).toBe(sha256Hex(raw));
    expect(artifact.dataset.examples).toBe(examples.length);
  });

  it('rejects malformed lines with their line number', () => {
    expect(() => parseDataset('{"text":"hi","intent":"BILLING"}\n{"text":"x","intent":"SALES"}')).toThrow(/line 2/);
    expect(() => parseDataset('not json')).toThrow(/line 1: not JSON/);
  });
});

describe('the shipped intent classifier', () => {
  it('never saw the holdout examples: its per-intent sample counts are those of the training split', () => {
    const { train } = splitDataset(examples);
    const samples = artifact.classifier[1] as Record<string, number>;
    for (const intent of INTENTS) expect(samples[intent]).toBe(train.filter((e) => e.intent === intent).length);
  });

  it(`answers at least ${MIN_HOLDOUT_ACCURACY * 100}% of the holdout right, as its metadata records`, () => {
    const { holdout } = splitDataset(examples);
    const right = holdout.filter((e) => classify(e.text).intent === e.intent).length;
    const accuracy = right / holdout.length;
    expect(accuracy).toBeGreaterThanOrEqual(MIN_HOLDOUT_ACCURACY);
    expect(accuracy).toBeCloseTo(artifact.holdoutAccuracy, 10);
  });

  it('recognises new, unambiguous messages of each intent', () => {
    const cases: Array<[string, string]> = [
      ['My card was charged twice for the same invoice this month.', 'BILLING'],
      ['I sent the boots back a month ago and I am still waiting for my refund.', 'REFUND'],
      ['The app crashes with an error every time I try to upload a photo.', 'TECHNICAL_ISSUE'],
      ["I forgot my password and the reset link doesn't arrive, I can't log in.", 'ACCOUNT_ACCESS'],
      ['Please cancel my subscription and close my account.', 'CANCELLATION'],
      ['My parcel was supposed to be delivered on Monday, the tracking has not moved.', 'SHIPPING'],
      ['Your support agent was wonderful, thank you for the great service!', 'FEEDBACK'],
      ['Do you have a store in Berlin and what are your opening hours?', 'OTHER'],
    ];
    for (const [text, intent] of cases) expect({ text, intent: classify(text).intent }).toEqual({ text, intent });
  });

  it('answers OTHER when it knows none of the words, and only routes with enough confidence', () => {
    expect(classify('zxqv blorft')).toMatchObject({ intent: 'OTHER', intentConfidence: 0 });
    expect(classify('')).toMatchObject({ intent: 'OTHER', intentConfidence: 0 });
    for (const { text } of examples) {
      const { intent, intentConfidence } = classify(text);
      expect(intentConfidence).toBeGreaterThanOrEqual(0);
      expect(intentConfidence).toBeLessThanOrEqual(1);
      if (intent !== 'OTHER') expect(intentConfidence).toBeGreaterThanOrEqual(artifact.confidenceThreshold);
    }
  });

  it('reads the subject as part of the message', () => {
    const body = 'Order 5512, see below.';
    expect(classify(body).intent).not.toBe('REFUND');
    expect(model.classify({ subject: 'Refund request', text: body, features }).intent).toBe('REFUND');
  });
});
