import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifactFileName, parseArtifact, versionOfFileName } from './artifact.js';
import { compareVersions } from './semver.js';
import { createTriageModel } from './triage-model.js';
import type { TriageModel } from './types.js';

/** models/ next to dist/ (built) or src/ (tests): the artifacts shipped with the package. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

/** Versions of the artifacts in `modelsDir`, oldest first (semver order). */
export async function listModelVersions(modelsDir: string = DEFAULT_MODELS_DIR): Promise<string[]> {
  let fileNames: string[];
  try {
    fileNames = await readdir(modelsDir);
  } catch (error) {
    throw new Error(`cannot read triage models directory ${modelsDir}: ${(error as Error).message}`, { cause: error });
  }
  return fileNames
    .map(versionOfFileName)
    .filter((version): version is string => version !== undefined)
    .sort(compareVersions);
}

/**
 * Loads one artifact, by default the newest version, so operators pin or roll back a model by configuration alone.
 * Nothing is trained here: the artifact carries the learnings.
 */
export async function loadTriageModel(options: { version?: string; modelsDir?: string } = {}): Promise<TriageModel> {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR;
  const versions = await listModelVersions(modelsDir);
  if (versions.length === 0) throw new Error(`no triage model artifacts (triage-intent-<version>.json) in ${modelsDir}`);

  const version = options.version ?? versions[versions.length - 1];
  if (version === undefined || !versions.includes(version)) {
    throw new Error(
      `unknown triage model version ${JSON.stringify(options.version)} in ${modelsDir}; available: ${versions.join(', ')}`,
    );
  }

  const file = join(modelsDir, artifactFileName(version));
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read triage model artifact ${file}: ${(error as Error).message}`, { cause: error });
  }
  const artifact = parseArtifact(json, file);
  // A renamed file would otherwise report a version it is not.
  if (artifact.version !== version) throw new Error(`artifact ${file} declares version ${artifact.version}`);
  return createTriageModel(artifact);
}
