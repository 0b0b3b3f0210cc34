/** @jest-environment <rootDir>/test/models/host-typed-arrays.environment.mjs */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { FEATURE_NAMES, loadFraudModel, type FraudInput, type FraudOutput } from '@spine/fraud-model';
import { createModelAdapter, fraudScoring, type FraudScore, type TensorRow } from '@spine/model-adapters';
import { fraudInputs } from './fraud-inputs.js';
import { FRAUD_MLSERVER_DIR, startMlServer, type MlServer } from './mlserver.js';
import { modelsVenv } from './python-env.js';

const ROOT = join(import.meta.dirname, '..', '..');
const model = loadFraudModel('1.0.0');
const inputs = fraudInputs(300);
const opts = () => ({ signal: AbortSignal.timeout(60_000) });
const closing: Array<{ close(): Promise<void> }> = [];
let server: MlServer | undefined;

async function adapters() {
  const registry = new Registry();
  const make = async <I, O>(config: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const adapter = await createModelAdapter<I, O>({ name: 'fraud-lr', version: '1.0.0', ...config }, { registry, baseDir: ROOT, ...extra });
    closing.push(adapter);
    return adapter;
  };
  const inProcess = await make<FraudInput, FraudOutput>({ kind: 'in-process', function: 'fraud-lr' }, { functions: { 'fraud-lr': (i: FraudInput) => model.score(i) } });
  const onnx = await make<TensorRow, TensorRow>({ kind: 'onnx', path: 'libs/fraud-model/models/fraud-lr-1.0.0.onnx', output: 'probabilities' });
  const oip = { kind: 'oip-v2', url: server!.url, remoteVersion: '1.0.0', input: { name: 'features', datatype: 'FP64' }, output: 'predict_proba' };
  const mlserver = await make<TensorRow, TensorRow>(oip);
  const mlserverBatched = await make<TensorRow, TensorRow>({ ...oip, batching: { enabled: true, maxSize: 64, maxWaitMs: 5 } });
  return { inProcess, onnx: fraudScoring(onnx, model.thresholds), mlserver: fraudScoring(mlserver, model.thresholds), mlserverBatched: fraudScoring(mlserverBatched, model.thresholds) };
}

function worstDifference(a: readonly FraudScore[], b: readonly FraudScore[]): number {
  expect(b).toHaveLength(a.length);
  return Math.max(...a.map((x, i) => Math.abs(x.score - b[i]!.score)));
}

beforeAll(async () => {
  server = await startMlServer([FRAUD_MLSERVER_DIR]);
}, 600_000); // the first run installs the Python venv (~1.5 min)

afterAll(async () => {
  await Promise.all(closing.map((c) => c.close()));
  await server?.close();
});

describe('the fraud model in process (TypeScript), via ONNX and via MLServer', () => {
  it(`gives the same scores within 1e-6 on ${inputs.length} real payments`, async () => {
    const { inProcess, onnx, mlserver, mlserverBatched } = await adapters();
    const reference = await inProcess.predict(inputs, opts());
    // one request / run for all 300 payments, and 300 single calls merged by the micro-batcher
    const [viaOnnx, viaMlserver, viaBatched] = await Promise.all([
      onnx.predict(inputs, opts()),
      mlserver.predict(inputs, opts()),
      Promise.all(inputs.map((i) => mlserverBatched.predict([i], opts()).then(([o]) => o!))),
    ]);
    expect(worstDifference(reference, viaOnnx)).toBeLessThan(1e-6);
    expect(worstDifference(reference, viaMlserver)).toBeLessThan(1e-6);
    expect(worstDifference(reference, viaBatched)).toBeLessThan(1e-6);
    expect(viaMlserver.map((s) => s.decision)).toEqual(reference.map((s) => s.decision));
    // the slice exercises the model's range: every decision occurs, scores spread over orders of magnitude
    expect(new Set(reference.map((s) => s.decision))).toEqual(new Set(['APPROVE', 'REVIEW', 'DECLINE']));
    expect(Math.max(...reference.map((s) => s.score)) / Math.min(...reference.map((s) => s.score))).toBeGreaterThan(1e3);
  });

  it('serves readiness and the model metadata over OIP v2', async () => {
    const adapter = (await adapters()).mlserver;
    await expect(adapter.ready(opts())).resolves.toBeUndefined();
    const meta = await adapter.metadata(opts());
    expect(meta).toMatchObject({ name: 'fraud-lr', version: '1.0.0', kind: 'oip-v2', backend: { name: 'fraud-lr', inputs: [{ name: 'features', datatype: 'FP64', shape: [-1, FEATURE_NAMES.length] }] } });
  });

  it('ships the ONNX and MLServer files that export-onnx.py produces from the JSON artifact', async () => {
    const venv = await modelsVenv();
    const check = spawnSync(venv.python, [join(ROOT, 'libs/fraud-model/scripts/export-onnx.py'), '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect({ status: check.status, stderr: check.stderr.trim() }).toEqual({ status: 0, stderr: '' });
    expect(check.stdout).toContain('match a fresh export');
  });
});
