#!/usr/bin/env node
// Writes the synthetic payments as JSON lines (to stdout or --out), optionally with their replayed features.
//   npx tsc -b libs/fraud-model && node libs/fraud-model/scripts/generate-transactions.mjs --seed 42 --out /tmp/tx.jsonl
// The data is not committed (~60 MB as JSON lines): the same seed gives byte-identical output, so generate it when needed.
import { createWriteStream, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    customers: { type: 'string' },
    days: { type: 'string' },
    features: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
if (!existsSync(new URL('dist/generator.js', root))) {
  console.error('libs/fraud-model/dist is missing: run `npx tsc -b libs/fraud-model` first');
  process.exit(2);
}
const { generateTransactions } = await import(new URL('dist/generator.js', root).href);
const { replayFeatures } = await import(new URL('dist/replay.js', root).href);

const options = { seed: Number(values.seed) };
if (values.customers !== undefined) options.customers = Number(values.customers);
if (values.days !== undefined) options.days = Number(values.days);
const transactions = generateTransactions(options);
const records = values.features ? replayFeatures(transactions).map((r) => ({ ...r.tx, features: r.features })) : transactions;

const out = values.out ? createWriteStream(values.out) : process.stdout;
// `| head` closes the pipe early: that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
let frauds = 0;
for (const record of records) {
  if (record.isFraud) frauds += 1;
  if (!out.write(`${JSON.stringify(record)}\n`)) await new Promise((resolve) => out.once('drain', resolve));
}
if (values.out) await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
console.error(
  `${records.length} payments, ${frauds} frauds (${((100 * frauds) / records.length).toFixed(2)}%), ` +
    `${new Set(transactions.map((t) => t.cardId)).size} cards${values.out ? ` -> ${values.out}` : ''}`,
);
