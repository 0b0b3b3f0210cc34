#!/usr/bin/env node
// Records what a model version answers on a fixed set of messages, so a later code change can be proven not to change
// that version's behaviour (src/compatibility.test.ts replays the file). Run it ONCE per released version, with the
// code that released it, and check the file in; it refuses to overwrite, because re-capturing with changed code would
// make the check vacuous.
//   npx tsc -b libs/triage-model/tsconfig.json && node libs/triage-model/scripts/capture-outputs.mjs --version 1.0.0
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const { values } = parseArgs({ options: { version: { type: 'string' }, force: { type: 'boolean', default: false } } });
if (!values.version) {
  console.error('usage: node libs/triage-model/scripts/capture-outputs.mjs --version MAJOR.MINOR.PATCH [--force]');
  process.exit(2);
}
const out = new URL(`fixtures/outputs-${values.version}.json`, root);
if (existsSync(out) && !values.force) {
  console.error(`${out.pathname} exists: it is the reference for that version and must not be re-captured`);
  process.exit(1);
}
const { loadTriageModel } = await import(new URL('dist/index.js', root).href);
const { parseDataset } = await import(new URL('dist/dataset.js', root).href);
const inputs = JSON.parse(await readFile(new URL('fixtures/messages.json', root), 'utf8'));
const dataset = parseDataset(await readFile(new URL('data/intents.jsonl', root), 'utf8'));

// Feature combinations cycled over the dataset messages: first contact, repeat contacts, high-value customers.
const FEATURES = [
  { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 80, lifetimeOrderAmount: 0 },
  { messagesTotal: 4, messagesLast24h: 2, avgBodyLength: 120, lifetimeOrderAmount: 250 },
  { messagesTotal: 9, messagesLast24h: 3, avgBodyLength: 60, lifetimeOrderAmount: 5000 },
  { messagesTotal: 2, messagesLast24h: 1, avgBodyLength: 200, lifetimeOrderAmount: 1000 },
];
const cases = [
  ...inputs.map((input) => ({ subject: input.subject ?? null, text: input.text, features: input.features ?? FEATURES[0] })),
  ...dataset.map((e, i) => ({ subject: null, text: e.text, features: FEATURES[i % FEATURES.length] })),
];

const model = await loadTriageModel({ version: values.version });
const recorded = cases.map((input) => ({ input, output: model.classify(input) }));
// One case per line: reviewable in a diff, and a tenth of the size of pretty-printed JSON.
const lines = recorded.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
const header = `"version": ${JSON.stringify(values.version)},\n  "capturedAt": ${JSON.stringify(new Date().toISOString())}`;
await writeFile(out, `{\n  ${header},\n  "cases": [\n${lines}\n  ]\n}\n`);
console.log(`wrote ${out.pathname}: ${recorded.length} cases`);
