// Writes helm/spine/files/registry.json: the stage registry's facts (services, ports, database / API flags,
// stages with their groups, topics and scaling hints) as data for the Helm chart, so no template repeats a
// name or a port. Reads the built registry (libs/platform/dist), so run it after the build:
//   npx tsc -b && node tools/helm/registry-values.mjs            rewrite the file
//   node tools/helm/registry-values.mjs --check                  exit 1 when the committed file differs
// What goes into the file: registry-facts.mjs.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registryJson } from './registry-facts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outFile = join(root, 'helm', 'spine', 'files', 'registry.json');

let spinePlatform;
try {
  ({ spinePlatform } = await import('@spine/platform'));
} catch (error) {
  console.error(`registry-values: cannot load the built stage registry (@spine/platform): ${error.message}\nfix: build first (npx tsc -b), then run this again`);
  process.exit(2);
}

const text = registryJson(spinePlatform);
const where = relative(root, outFile);

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(outFile, 'utf8');
  } catch {
    // missing: reported as drift below
  }
  if (committed !== text) {
    console.error(`${where} is out of date with the stage registry; run: npx tsc -b && node tools/helm/registry-values.mjs`);
    process.exit(1);
  }
  console.log(`${where} matches the stage registry`);
} else {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  console.log(`wrote ${where} (${spinePlatform.services.length} services, ${spinePlatform.stages.length} stages)`);
}
