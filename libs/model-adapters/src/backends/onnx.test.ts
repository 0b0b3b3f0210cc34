/** @jest-environment <rootDir>/test/models/host-typed-arrays.environment.mjs */
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { classifyFailure } from '@spine/runtime';
import { FEATURE_NAMES, generateTransactions, loadFraudModel, replayFeatures, toPaymentTransactionReceived } from '@spine/fraud-model';
import { createModelAdapter } from '../create-adapter.js';
import { AdapterConfigError, ModelInputRefusedError } from '../errors.js';
import { fraudProbability, fraudVector } from '../fraud.js';
import type { TensorRow } from './tensors.js';

const MODELS = join(import.meta.dirname, '..', '..', '..', 'fraud-model', 'models');
const base = { kind: 'onnx', name: 'fraud-lr', version: '1.0.0', path: 'fraud-lr-1.0.0.onnx', output: 'probabilities' };
const opts = () => ({ signal: new AbortController().signal });

describe('onnx adapter (the exported fraud model)', () => {
  const model = loadFraudModel('1.0.0');
  const inputs = replayFeatures(generateTransactions({ seed: 7, customers: 12 })).map((r) => ({ transaction: toPaymentTransactionReceived(r.tx), features: r.features }));

  it('scores a batch as one tensor, like the TypeScript model', async () => {
    const adapter = await createModelAdapter<TensorRow, TensorRow>(base, { registry: new Registry(), baseDir: MODELS });
    try {
      const rows = await adapter.predict(inputs.map(fraudVector), opts());
      expect(rows).toHaveLength(inputs.length);
      const worst = Math.max(...rows.map((row, i) => Math.abs(fraudProbability(row) - model.score(inputs[i]!).score)));
      expect(worst).toBeLessThan(1e-9);
      expect(rows.every((r) => Math.abs(r[0]! + r[1]! - 1) < 1e-12)).toBe(true);
      const meta = (await adapter.metadata(opts())).backend as { inputs: Array<{ name: string; shape: unknown[] }> };
      expect(meta.inputs[0]).toMatchObject({ name: 'features', shape: ['', FEATURE_NAMES.length] });
    } finally {
      await adapter.close();
    }
  });

  it('refuses a row of the wrong width as a permanent failure', async () => {
    const adapter = await createModelAdapter<TensorRow, TensorRow>(base, { registry: new Registry(), baseDir: MODELS });
    try {
      const error = await adapter.predict([[1, 2, 3]], opts()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelInputRefusedError);
      expect(classifyFailure(error)).toBe('permanent');
      expect((error as Error).message).toContain(`input 0 has 3 values; the model takes ${FEATURE_NAMES.length}`);
    } finally {
      await adapter.close();
    }
  });

  it('names the outputs when the configuration picks none of a model with several', async () => {
    const { output: _output, ...noOutput } = base;
    await expect(createModelAdapter(noOutput, { registry: new Registry(), baseDir: MODELS })).rejects.toThrow(
      new AdapterConfigError([{ field: 'output', message: 'the model has 2 outputs (label, probabilities): name one' }], 'fraud-lr@1.0.0'),
    );
    await expect(createModelAdapter({ ...base, path: 'missing.onnx' }, { registry: new Registry(), baseDir: MODELS })).rejects.toThrow(/path: cannot load ONNX model .*missing\.onnx/);
  });
});
