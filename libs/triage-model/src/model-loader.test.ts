import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactFileName } from './artifact.js';
import { listModelVersions, loadTriageModel } from './model-loader.js';

const features = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 80, lifetimeOrderAmount: 0 };
const BILLING_MESSAGE = 'My card was charged twice for the same invoice this month.';

let shipped: Record<string, unknown>;
let dir: string;

/** A copy of the shipped artifact under another version (and optionally other fields), as a release would add one. */
async function addArtifact(targetDir: string, version: string, overrides: Record<string, unknown> = {}, fileVersion = version) {
  await writeFile(join(targetDir, artifactFileName(fileVersion)), JSON.stringify({ ...shipped, version, ...overrides }));
}

beforeAll(async () => {
  const versions = await listModelVersions();
  const newest = versions[versions.length - 1] ?? '';
  shipped = JSON.parse(await readFile(new URL(`../models/${artifactFileName(newest)}`, import.meta.url), 'utf8'));
  dir = await mkdtemp(join(tmpdir(), 'triage-models-'));
  await addArtifact(dir, '1.0.0');
  await addArtifact(dir, '1.2.0');
  // Same learnings, but it never trusts a label: lets the tests see which version answered.
  await addArtifact(dir, '1.10.0', { confidenceThreshold: 1 });
  await writeFile(join(dir, 'README.md'), 'not a model');
  await writeFile(join(dir, 'triage-intent-latest.json'), '{}');
  await writeFile(join(dir, 'triage-intent-2.0.0-rc.1.json'), '{}');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listModelVersions', () => {
  it('lists artifact versions in semver order and ignores other files', async () => {
    await expect(listModelVersions(dir)).resolves.toEqual(['1.0.0', '1.2.0', '1.10.0']);
  });

  it('fails clearly on a missing directory', async () => {
    await expect(listModelVersions(join(dir, 'nope'))).rejects.toThrow(/cannot read triage models directory/);
  });
});

describe('loadTriageModel', () => {
  it('loads the shipped models by default, the newest one', async () => {
    const versions = await listModelVersions();
    expect(versions.length).toBeGreaterThan(0);
    const model = await loadTriageModel();
    expect(model.name).toBe('support-triage');
    expect(model.version).toBe(versions[versions.length - 1]);
    expect(model.classify({ text: BILLING_MESSAGE, features }).model).toEqual({ name: 'support-triage', version: model.version });
  });

  it('picks the newest version by semver, not by file name order', async () => {
    const model = await loadTriageModel({ modelsDir: dir });
    expect(model.version).toBe('1.10.0');
    expect(model.classify({ text: BILLING_MESSAGE, features })).toMatchObject({
      intent: 'OTHER',
      model: { name: 'support-triage', version: '1.10.0' },
    });
  });

  it('ships 1.1.0 beside 1.0.0, which stays loadable for a roll-back', async () => {
    const versions = await listModelVersions();
    expect(versions).toEqual(expect.arrayContaining(['1.0.0', '1.1.0']));
    expect((await loadTriageModel()).version).toBe(versions[versions.length - 1]);
    const pinned = await loadTriageModel({ version: '1.0.0' });
    expect(pinned.classify({ text: BILLING_MESSAGE, features }).model).toEqual({ name: 'support-triage', version: '1.0.0' });
  });

  it('loads a pinned version, so a roll-back is a configuration change', async () => {
    const model = await loadTriageModel({ modelsDir: dir, version: '1.0.0' });
    expect(model.version).toBe('1.0.0');
    expect(model.classify({ text: BILLING_MESSAGE, features })).toMatchObject({
      intent: 'BILLING',
      model: { version: '1.0.0' },
    });
  });

  it('rejects an unknown version, listing the available ones', async () => {
    await expect(loadTriageModel({ modelsDir: dir, version: '9.9.9' })).rejects.toThrow(
      /unknown triage model version "9\.9\.9".*available: 1\.0\.0, 1\.2\.0, 1\.10\.0/,
    );
  });

  describe('refuses artifacts it cannot trust', () => {
    let bad: string;
    beforeEach(async () => {
      bad = await mkdtemp(join(tmpdir(), 'triage-models-bad-'));
    });
    afterEach(async () => {
      await rm(bad, { recursive: true, force: true });
    });

    it('an empty directory', async () => {
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/no triage model artifacts/);
    });

    it('a file whose content is another version than its name', async () => {
      await addArtifact(bad, '1.0.0', {}, '3.0.0');
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/declares version 1\.0\.0/);
    });

    it('an artifact trained with another text preparation', async () => {
      await addArtifact(bad, '1.0.0', { prep: 'something-else:v0' });
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/text prep/);
    });

    it('an artifact that lacks an intent', async () => {
      await addArtifact(bad, '1.0.0', { labels: ['BILLING', 'REFUND'] });
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/labels lack TECHNICAL_ISSUE/);
    });

    it('rules this library does not know (a newer release), instead of running with other rules', async () => {
      await addArtifact(bad, '1.0.0', { sentimentRules: 'v9' });
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/sentimentRules "v9" unknown/);
      await addArtifact(bad, '1.0.0', { priorityRules: 'v9' });
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/priorityRules "v9" unknown/);
    });

    it('a calibration it cannot apply', async () => {
      const calibration = shipped.calibration as Record<string, unknown>;
      await addArtifact(bad, '1.0.0', { calibration: { ...calibration, temperature: 0 } });
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/temperature must be a positive number/);
      await addArtifact(bad, '1.0.0', { calibration: { ...calibration, method: 'platt' } });
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/calibration.method "platt" unknown/);
    });

    it('a file that is not JSON', async () => {
      await mkdir(bad, { recursive: true });
      await writeFile(join(bad, artifactFileName('1.0.0')), '{ nope');
      await expect(loadTriageModel({ modelsDir: bad })).rejects.toThrow(/cannot read triage model artifact/);
    });
  });
});
