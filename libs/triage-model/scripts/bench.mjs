#!/usr/bin/env node
// Measures classify() latency of the built library on the dataset's messages (mean over --calls, default 1000).
//   npx tsc -b libs/triage-model/tsconfig.json && node libs/triage-model/scripts/bench.mjs [--version 1.0.0]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const { values } = parseArgs({ options: { version: { type: 'string' }, calls: { type: 'string', default: '1000' } } });
const { loadTriageModel } = await import(new URL('dist/index.js', root).href);
const { parseDataset } = await import(new URL('dist/dataset.js', root).href);

const loadStart = performance.now();
const model = await loadTriageModel(values.version ? { version: values.version } : {});
const loadMs = performance.now() - loadStart;
const texts = parseDataset(await readFile(new URL('data/intents.jsonl', root), 'utf8')).map((e) => e.text);
const features = { messagesTotal: 3, messagesLast24h: 1, avgBodyLength: 80, lifetimeOrderAmount: 250 };
const calls = Number(values.calls);

for (let i = 0; i < 200; i += 1) model.classify({ text: texts[i % texts.length], features }); // warm-up (JIT)
const times = [];
for (let i = 0; i < calls; i += 1) {
  const start = performance.now();
  model.classify({ text: texts[i % texts.length], features });
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
console.log(
  `${model.name}@${model.version}: load ${loadMs.toFixed(1)} ms; classify over ${calls} calls: ` +
    `mean ${mean.toFixed(3)} ms, p50 ${p(0.5).toFixed(3)} ms, p99 ${p(0.99).toFixed(3)} ms`,
);
