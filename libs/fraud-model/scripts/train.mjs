#!/usr/bin/env node
// Trains the fraud model on freshly generated synthetic payments and writes models/fraud-lr-<version>.json.
// Runs against the built library, so training computes features with the very code that serves them:
//   npx tsc -b libs/fraud-model && node libs/fraud-model/scripts/train.mjs --version 1.0.0
// Deterministic: the same options write the same bytes. A released version is never overwritten without --force;
// --check retrains a shipped version with its recorded options and fails unless the result is byte-identical.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const { values } = parseArgs({
  options: {
    version: { type: 'string' },
    force: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    seed: { type: 'string' },
    customers: { type: 'string' },
    days: { type: 'string' },
    l2: { type: 'string' },
  },
});
if (!values.version) {
  console.error(
    'usage: node libs/fraud-model/scripts/train.mjs --version MAJOR.MINOR.PATCH [--seed 42] [--customers 2200] [--days 60] [--l2 10] [--force | --check]',
  );
  process.exit(2);
}
if (!existsSync(new URL('dist/training.js', root))) {
  console.error('libs/fraud-model/dist is missing: run `npx tsc -b libs/fraud-model` first');
  process.exit(2);
}
const { trainFraudModel } = await import(new URL('dist/training.js', root).href);
const { artifactFileName } = await import(new URL('dist/artifact.js', root).href);

const out = new URL(`models/${artifactFileName(values.version)}`, root);
const options = { version: values.version };
if (values.check) {
  if (!existsSync(out)) {
    console.error(`${out.pathname} does not exist: nothing to check`);
    process.exit(1);
  }
  const shipped = JSON.parse(readFileSync(out, 'utf8'));
  Object.assign(options, {
    seed: shipped.data.seed,
    customers: shipped.data.customers,
    days: shipped.data.days,
    start: shipped.data.start,
    compromiseRate: shipped.data.compromiseRate,
    l2: shipped.training.l2,
  });
} else {
  if (existsSync(out) && !values.force) {
    console.error(`${out.pathname} exists; pick a new version (or --force to replace it)`);
    process.exit(1);
  }
  for (const key of ['seed', 'customers', 'days', 'l2']) if (values[key] !== undefined) options[key] = Number(values[key]);
}

const started = performance.now();
const artifact = trainFraudModel(options);
const seconds = ((performance.now() - started) / 1000).toFixed(1);

// Pretty-printed for review; the number columns on one line each.
const columns = ['features', 'mean', 'std', 'weights'];
let json = JSON.stringify(artifact, (key, value) => (columns.includes(key) ? `__${key}__` : value), 2);
for (const key of columns) json = json.replace(`"__${key}__"`, JSON.stringify(artifact[key]));
json = `${json}\n`;

if (values.check) {
  const same = readFileSync(out, 'utf8') === json;
  console.log(`${same ? 'OK' : 'MISMATCH'}: retraining ${values.version} in ${seconds} s ${same ? 'reproduces' : 'does not reproduce'} ${out.pathname}`);
  process.exit(same ? 0 : 1);
}
await writeFile(out, json);

const { test } = artifact.metrics;
const pct = (x) => `${(100 * x).toFixed(2)}%`;
console.log(
  `wrote ${out.pathname} in ${seconds} s: ${artifact.data.transactions} payments (${pct(artifact.data.fraudRate)} fraud), ` +
    `${artifact.data.cards} cards, ${artifact.training.iterations} IRLS iterations`,
);
console.log(
  `test (days ${test.days}): ${test.transactions} payments, ${test.frauds} frauds (${pct(test.fraudRate)}); ` +
    `ROC-AUC ${test.rocAuc.toFixed(4)}, PR-AUC ${test.averagePrecision.toFixed(4)}`,
);
for (const [label, s] of [['top 1%', test.alertRate1pct], ['REVIEW', test.review], ['DECLINE', test.decline]]) {
  console.log(
    `  ${label.padEnd(8)} threshold ${s.threshold.toFixed(4)}: ${s.alerts} alerts (${pct(s.alertRate)}), ` +
      `precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}`,
  );
}
