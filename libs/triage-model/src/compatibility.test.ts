import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { sha256Hex } from './dataset.js';
import { loadTriageModel } from './model-loader.js';
import type { TriageInput, TriageModel, TriageOutput } from './types.js';

// A released version must keep meaning one behaviour, so operators can roll back to 1.0.0 through the model router.
// fixtures/outputs-1.0.0.json holds what 1.0.0 answered with the code that released it (captured by
// scripts/capture-outputs.mjs before any 1.1.0 change): the demo and benchmark messages, the known weak cases, and
// every dataset message with varying customer features.
const fixtureUrl = new URL('../fixtures/outputs-1.0.0.json', import.meta.url);
const artifactUrl = new URL('../models/triage-intent-1.0.0.json', import.meta.url);
/** sha256 of models/triage-intent-1.0.0.json as released. */
const RELEASED_1_0_0_SHA256 = '3950eb56e887f1e974661f919e466c1b18582e2114ac7228c86ce99bf40f9506';

interface Recorded {
  version: string;
  cases: Array<{ input: TriageInput; output: TriageOutput }>;
}

let recorded: Recorded;
let model: TriageModel;

beforeAll(async () => {
  recorded = JSON.parse(await readFile(fixtureUrl, 'utf8')) as Recorded;
  model = await loadTriageModel({ version: '1.0.0' });
});

describe('model 1.0.0 after the 1.1.0 release', () => {
  it('is the artifact file as released, byte for byte', async () => {
    expect(sha256Hex(await readFile(artifactUrl))).toBe(RELEASED_1_0_0_SHA256);
  });

  it('still loads when pinned, and is not the default any more', async () => {
    expect(model.version).toBe('1.0.0');
    expect((await loadTriageModel()).version).not.toBe('1.0.0');
  });

  it('answers every recorded message exactly as before: sentiment, scores, intent, confidence, priority', () => {
    expect(recorded.version).toBe('1.0.0');
    expect(recorded.cases.length).toBeGreaterThan(500);
    const changed = recorded.cases.filter(({ input, output }) => !isDeepStrictEqual(model.classify(input), output));
    expect(changed.map(({ input }) => input.text)).toEqual([]);
  });

  it('keeps its known weaknesses (1.1.0 fixes them; rolling back brings them back)', () => {
    const features = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 80, lifetimeOrderAmount: 0 };
    const answer = (text: string) => model.classify({ text, features });
    // wink's negation scope: "can't" flips "frustrating".
    expect(answer("I can't log in to my account and it's extremely frustrating").sentiment).toBe('POSITIVE');
    expect(answer("I can't log in to my account").priority).toBe('P3');
    // Saturated confidence on a long message.
    const demo = recorded.cases.find(({ input }) => input.subject === 'Charged TWICE for the same order');
    expect(demo?.output.intentConfidence).toBeGreaterThan(0.99);
    expect(demo?.output.priority).toBe('P3');
  });
});
