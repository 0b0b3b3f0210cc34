#!/usr/bin/env node
// Writes schemas/asyncapi.json: the AsyncAPI 3.0 document of the stage registry (libs/platform) and the Avro
// schemas (schemas/*.avsc), for the default deployment (no prefix, SPINE_TOPIC_PARTITIONS' default), so the
// committed file never depends on who generated it. Needs the build (`npx tsc -b`).
//   --check   exit 1 when the committed file differs from what the registry and schemas generate now
//   --stdout  print the document instead of writing it
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outFile = join(root, 'schemas', 'asyncapi.json');
const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !['--check', '--stdout'].includes(a));
if (unknown.length) {
  console.error(`generate.mjs: unknown option ${unknown.join(' ')}; usage: node tools/asyncapi/generate.mjs [--check | --stdout]`);
  process.exit(2);
}

let modules;
try {
  modules = await Promise.all([import('@spine/schemas'), import('@spine/topology'), import(join(root, 'apps', 'ingestion', 'dist', 'asyncapi.controller.js'))]);
} catch (error) {
  console.error(`generate.mjs: cannot load the built libraries (${error.message}); run \`npx tsc -b\` first`);
  process.exit(1);
}
const [{ loadSchemaCatalog }, { deploymentFromEnv }, { spineAsyncApi }] = modules;

const document = spineAsyncApi(deploymentFromEnv({}), await loadSchemaCatalog(join(root, 'schemas')));
const text = `${JSON.stringify(document, null, 2)}\n`;
const where = relative(process.cwd(), outFile) || outFile;

if (args.has('--stdout')) process.stdout.write(text);
else if (args.has('--check')) {
  let committed = '';
  try {
    committed = readFileSync(outFile, 'utf8');
  } catch {
    // missing: reported below as drift
  }
  if (committed !== text) {
    console.error(`${where} is out of date with the stage registry or schemas/*.avsc: run \`node tools/asyncapi/generate.mjs\` and commit it`);
    process.exit(1);
  }
  console.error(`${where} is up to date (${Object.keys(document.channels).length} channels, ${Object.keys(document.operations).length} operations)`);
} else {
  writeFileSync(outFile, text);
  console.error(`wrote ${where} (${Object.keys(document.channels).length} channels, ${Object.keys(document.operations).length} operations)`);
}
