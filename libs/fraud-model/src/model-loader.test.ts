import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactFileName } from './artifact.js';
import { DEFAULT_MODELS_DIR, listFraudModelVersions, loadFraudModel, readFraudArtifact } from './model-loader.js';

describe('loadFraudModel (shipped models)', () => {
  const versions = listFraudModelVersions();

  it('ships at least 1.0.0 and loads the newest by default', () => {
    expect(versions).toContain('1.0.0');
    const model = loadFraudModel();
    expect(model.name).toBe('fraud-lr');
    expect(model.version).toBe(versions[versions.length - 1]);
    expect(loadFraudModel('1.0.0').version).toBe('1.0.0');
  });

  it('names the shipped versions when asked for an unknown one', () => {
    expect(() => loadFraudModel('9.9.9')).toThrow(`unknown fraud model version "9.9.9"; shipped versions: ${versions.join(', ')}`);
    expect(() => loadFraudModel('latest')).toThrow(/shipped versions: .*1\.0\.0/);
  });

  it('keeps the artifact small and free of data', () => {
    const text = readFileSync(join(DEFAULT_MODELS_DIR, artifactFileName('1.0.0')), 'utf8');
    expect(text.length).toBeLessThan(20_000);
    expect(text).not.toMatch(/tx-\d{7}|card-\d{6}|cust-\d{6}/);
  });
});

describe('loadFraudModel (a models directory)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fraud-models-'));
  const shipped = JSON.parse(readFileSync(join(DEFAULT_MODELS_DIR, artifactFileName('1.0.0')), 'utf8'));
  const write = (version: string, overrides: Record<string, unknown> = {}, fileVersion = version) =>
    writeFileSync(join(dir, artifactFileName(fileVersion)), JSON.stringify({ ...shipped, version, ...overrides }));

  beforeAll(() => {
    copyFileSync(join(DEFAULT_MODELS_DIR, artifactFileName('1.0.0')), join(dir, artifactFileName('1.0.0')));
    write('1.2.0');
    write('1.10.0', { thresholds: { review: 0.9, decline: 0.95 } });
    writeFileSync(join(dir, 'README.md'), 'not a model');
    writeFileSync(join(dir, 'fraud-lr-latest.json'), '{}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('orders versions by semver, not by name, and ignores other files', () => {
    expect(listFraudModelVersions(dir)).toEqual(['1.0.0', '1.2.0', '1.10.0']);
    const model = loadFraudModel(undefined, dir);
    expect(model.version).toBe('1.10.0');
    expect(model.thresholds).toEqual({ review: 0.9, decline: 0.95 });
  });

  it('refuses artifacts it cannot score with', () => {
    write('2.0.0', { features: [...shipped.features].reverse() });
    expect(() => loadFraudModel('2.0.0', dir)).toThrow(/features must be this library's columns/);
    write('2.0.1', { weights: shipped.weights.slice(1) });
    expect(() => loadFraudModel('2.0.1', dir)).toThrow(/weights must be/);
    write('2.0.2', { thresholds: { review: 0.5, decline: 0.1 } });
    expect(() => loadFraudModel('2.0.2', dir)).toThrow(/thresholds/);
    write('2.0.3', {}, '2.0.4');
    expect(() => readFraudArtifact('2.0.4', dir)).toThrow(/declares version 2.0.3/);
  });

  it('fails clearly without a models directory', () => {
    expect(() => loadFraudModel(undefined, join(dir, 'nope'))).toThrow(/cannot read fraud models directory/);
  });
});
