#!/usr/bin/env node
// Measures score() latency of the built library on real inputs (a 200-customer slice of the synthetic data).
//   npx tsc -b libs/fraud-model && node libs/fraud-model/scripts/bench.mjs [--version 1.0.0] [--calls 200000]
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const { values } = parseArgs({ options: { version: { type: 'string' }, calls: { type: 'string', default: '200000' } } });
const { loadFraudModel, generateTransactions, replayFeatures, toPaymentTransactionReceived } = await import(
  new URL('dist/index.js', root).href
);

const loadStart = performance.now();
const model = loadFraudModel(values.version);
const loadMs = performance.now() - loadStart;
const inputs = replayFeatures(generateTransactions({ customers: 200 })).map((r) => ({
  transaction: toPaymentTransactionReceived(r.tx),
  features: r.features,
}));
const calls = Number(values.calls);

let sink = 0;
for (let i = 0; i < 20_000; i += 1) sink += model.score(inputs[i % inputs.length]).score; // warm-up (JIT)
const times = new Float64Array(calls);
for (let i = 0; i < calls; i += 1) {
  const start = performance.now();
  sink += model.score(inputs[i % inputs.length]).score;
  times[i] = performance.now() - start;
}
const loopStart = performance.now();
for (let i = 0; i < calls; i += 1) sink += model.score(inputs[i % inputs.length]).score;
const loopMs = performance.now() - loopStart;

times.sort();
const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] * 1000;
console.log(
  `${model.name}@${model.version}: load ${loadMs.toFixed(1)} ms; score() over ${calls} calls on ${inputs.length} inputs: ` +
    `mean ${((loopMs / calls) * 1000).toFixed(2)} µs (tight loop), p50 ${p(0.5).toFixed(2)} µs, p99 ${p(0.99).toFixed(2)} µs, ` +
    `max ${p(1).toFixed(1)} µs${Number.isNaN(sink) ? ' (NaN!)' : ''}`,
);
