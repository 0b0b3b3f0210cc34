#!/usr/bin/env node
// Trains the intent classifier on data/intents.jsonl and writes models/triage-intent-<version>.json.
// Runs against the built library (same text prep as at run time):
//   npx tsc -b libs/triage-model/tsconfig.json && node libs/triage-model/scripts/train.mjs --version 1.1.0
// An existing version is never overwritten unless --force is given: a released version must keep meaning one model.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const datasetPath = 'data/intents.jsonl';

const { values } = parseArgs({
  options: {
    version: { type: 'string' },
    force: { type: 'boolean', default: false },
    // A 1.0.0-style artifact: wink's uncalibrated odds, sentiment and priority rules v1.
    uncalibrated: { type: 'boolean', default: false },
  },
});
if (!values.version) {
  console.error('usage: node libs/triage-model/scripts/train.mjs --version MAJOR.MINOR.PATCH [--uncalibrated] [--force]');
  process.exit(2);
}
if (!existsSync(new URL('dist/training.js', root))) {
  console.error('libs/triage-model/dist is missing: run `npx tsc -b libs/triage-model/tsconfig.json` first');
  process.exit(2);
}
const { trainArtifact } = await import(new URL('dist/training.js', root).href);
const { artifactFileName } = await import(new URL('dist/artifact.js', root).href);
const { parseDataset, sha256Hex } = await import(new URL('dist/dataset.js', root).href);

const out = new URL(`models/${artifactFileName(values.version)}`, root);
if (existsSync(out) && !values.force) {
  console.error(`${out.pathname} exists; pick a new version (or --force to replace it)`);
  process.exit(1);
}

const raw = await readFile(new URL(datasetPath, root));
const nbPackage = createRequire(import.meta.url)('wink-naive-bayes-text-classifier/package.json');
const artifact = trainArtifact({
  version: values.version,
  examples: parseDataset(raw.toString('utf8')),
  datasetSha256: sha256Hex(raw),
  datasetPath,
  library: `${nbPackage.name}@${nbPackage.version}`,
  calibrate: !values.uncalibrated,
});

// Metadata pretty-printed for review, the learnings on one line: they are data, not something to read in a diff.
const json = JSON.stringify({ ...artifact, classifier: '__CLASSIFIER__' }, null, 2).replace(
  '"__CLASSIFIER__"',
  JSON.stringify(artifact.classifier),
);
await writeFile(out, `${json}\n`);
console.log(
  `wrote ${out.pathname}: ${artifact.dataset.trainExamples} train / ${artifact.dataset.holdoutExamples} holdout examples, ` +
    `holdout accuracy ${artifact.holdoutAccuracy.toFixed(3)} (top label ${artifact.holdoutTopLabelAccuracy.toFixed(3)})`,
);
if (artifact.calibration) {
  const { temperature, referenceTokens, fit } = artifact.calibration;
  console.log(
    `calibration: T ${temperature.toFixed(4)}, reference length ${referenceTokens} tokens, OTHER below ${artifact.confidenceThreshold}; ` +
      `${fit.folds}-fold on train: accuracy ${fit.outOfFoldAccuracy.toFixed(3)}, mean confidence ` +
      `${fit.outOfFoldMeanConfidence.toFixed(3)}, ECE ${fit.outOfFoldCalibrationError.toFixed(3)}; holdout: mean confidence ` +
      `${artifact.holdoutMeanConfidence.toFixed(3)}, ECE ${artifact.holdoutCalibrationError.toFixed(3)}`,
  );
}
