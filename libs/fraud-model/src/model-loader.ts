import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifactFileName, parseFraudArtifact, versionOfFileName, type FraudArtifact } from './artifact.js';
import { createFraudModel, type FraudModel } from './model.js';
import { compareVersions } from './semver.js';

/** models/ next to dist/ (built) or src/ (tests): the artifacts shipped with the package. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

/** Versions of the fraud-lr artifacts in `modelsDir`, oldest first (semver order). */
export function listFraudModelVersions(modelsDir: string = DEFAULT_MODELS_DIR): string[] {
  let fileNames: string[];
  try {
    fileNames = readdirSync(modelsDir);
  } catch (error) {
    throw new Error(`cannot read fraud models directory ${modelsDir}: ${(error as Error).message}`, { cause: error });
  }
  return fileNames
    .map(versionOfFileName)
    .filter((v): v is string => v !== undefined)
    .sort(compareVersions);
}

/** The validated artifact of one shipped version (default: the newest). */
export function readFraudArtifact(version?: string, modelsDir: string = DEFAULT_MODELS_DIR): FraudArtifact {
  const versions = listFraudModelVersions(modelsDir);
  if (versions.length === 0) throw new Error(`no fraud model artifacts (fraud-lr-<version>.json) in ${modelsDir}`);
  const chosen = version ?? versions[versions.length - 1]!;
  if (!versions.includes(chosen)) {
    throw new Error(`unknown fraud model version ${JSON.stringify(version)}; shipped versions: ${versions.join(', ')}`);
  }
  const file = join(modelsDir, artifactFileName(chosen));
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read fraud model artifact ${file}: ${(error as Error).message}`, { cause: error });
  }
  const artifact = parseFraudArtifact(json, file);
  // A renamed file would otherwise answer as a version it is not.
  if (artifact.version !== chosen) throw new Error(`artifact ${file} declares version ${artifact.version}`);
  return artifact;
}

/**
 * Loads a shipped model, by default the newest version, so a deployment pins or rolls back by configuration alone.
 * Synchronous: a few kilobytes of JSON, read once at start-up; nothing is trained here.
 */
export function loadFraudModel(version?: string, modelsDir: string = DEFAULT_MODELS_DIR): FraudModel {
  return createFraudModel(readFraudArtifact(version, modelsDir));
}
