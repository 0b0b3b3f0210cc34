import { Registry } from 'prom-client';
import { classifyFailure, DependencyUnavailableError } from '@spine/runtime';
import { CircuitOpenError, createModelAdapter, fraudVector, ModelTimeoutError, type ModelAdapter, type TensorRow } from '@spine/model-adapters';
import { fraudInputs } from './fraud-inputs.js';
import { FRAUD_MLSERVER_DIR, SLOW_MLSERVER_DIR, startMlServer, type MlServer } from './mlserver.js';
import { failureOf } from '../harness/failure-of.js';

const rows = fraudInputs(64).map(fraudVector);
const opts = () => ({ signal: AbortSignal.timeout(30_000) });
const closing: ModelAdapter<TensorRow, TensorRow>[] = [];
let server: MlServer | undefined;

async function fraudOverOip(overrides: Record<string, unknown>, registry = new Registry()) {
  const adapter = await createModelAdapter<TensorRow, TensorRow>(
    { kind: 'oip-v2', name: 'fraud-lr', version: '1.0.0', url: server!.url, input: { name: 'features', datatype: 'FP64' }, output: 'predict_proba', ...overrides },
    { registry },
  );
  closing.push(adapter);
  return adapter;
}

async function circuitState(registry: Registry): Promise<number | undefined> {
  return (await registry.getSingleMetric('spine_model_circuit_state')?.get())?.values[0]?.value;
}

beforeAll(async () => {
  server = await startMlServer([FRAUD_MLSERVER_DIR, SLOW_MLSERVER_DIR]);
}, 600_000); // the first run installs the Python venv (~1.5 min)

afterAll(async () => {
  await Promise.all(closing.map((a) => a.close()));
  await server?.close();
});

describe('the OIP v2 adapter against MLServer', () => {
  it('micro-batching sends one request for many concurrent inputs (counted by MLServer)', async () => {
    const batched = await fraudOverOip({ batching: { enabled: true, maxSize: 64, maxWaitMs: 20 } });
    const before = await server!.inferRequests('fraud-lr');
    const outputs = await Promise.all(rows.map((row) => batched.predict([row], opts())));
    expect(outputs).toHaveLength(rows.length);
    expect((await server!.inferRequests('fraud-lr')) - before).toBe(1);

    const unbatched = await fraudOverOip({ maxConcurrency: 4 });
    const start = await server!.inferRequests('fraud-lr');
    const again = await Promise.all(rows.map((row) => unbatched.predict([row], opts())));
    expect((await server!.inferRequests('fraud-lr')) - start).toBe(rows.length);
    // the same numbers, up to float rounding (numpy's product over a batch vs one row)
    const worst = Math.max(...again.flatMap((o, i) => o[0]!.map((p, j) => Math.abs(p - outputs[i]![0]![j]!))));
    expect(worst).toBeLessThan(1e-12);
  });

  it('times out a slow model as a transient failure', async () => {
    const slow = await createModelAdapter<TensorRow, TensorRow>(
      { kind: 'oip-v2', name: 'slow-echo', version: '1', url: server!.url, input: { name: 'features', datatype: 'FP64' }, timeoutMs: 300, retries: { maxAttempts: 1 } },
      { registry: new Registry() },
    );
    closing.push(slow);
    const started = Date.now();
    const error = await failureOf(slow.predict([rows[0]!], opts()));
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect(classifyFailure(error)).toBe('transient');
    expect(Date.now() - started).toBeLessThan(2_000); // the model takes 3 s
  });

  it("turns MLServer's error answers into the failure kind they are, with the server's message", async () => {
    const unknown = await fraudOverOip({ remoteName: 'no-such-model', retries: { maxAttempts: 1 } });
    const missing = await failureOf(unknown.predict([rows[0]!], opts()));
    expect(classifyFailure(missing)).toBe('outage'); // configuration: records wait, they are not dead-lettered
    expect(missing.message).toContain("HTTP 404: Model no-such-model not found (check the adapter's URL and model name/version)");

    const adapter = await fraudOverOip({ retries: { maxAttempts: 1 } });
    const narrow = await failureOf(adapter.predict([[1, 2, 3]], opts()));
    expect(classifyFailure(narrow)).toBe('transient'); // MLServer answers a model exception with a bare 500 (its traceback only with MLSERVER_DEBUG)
    expect(narrow.message).toContain('HTTP 500: Internal Server Error');
    // with the model's width configured, the adapter refuses the row itself, for good, without a request
    const sized = await fraudOverOip({ input: { name: 'features', datatype: 'FP64', width: 24 } });
    const before = await server!.inferRequests('fraud-lr');
    const refused = await failureOf(sized.predict([[1, 2, 3]], opts()));
    expect(classifyFailure(refused)).toBe('permanent');
    expect(refused.message).toContain('input 0 has 3 values; the model takes 24');
    expect(await server!.inferRequests('fraud-lr')).toBe(before);
  });

  // Last: it stops and restarts the server.
  it('opens the circuit while MLServer is down (fast DependencyUnavailableError) and closes it once it is back', async () => {
    const registry = new Registry();
    const cooldownMs = 1_500;
    const adapter = await fraudOverOip({ retries: { maxAttempts: 1 }, circuitBreaker: { consecutiveFailures: 3, cooldownMs } }, registry);
    await expect(adapter.predict([rows[0]!], opts())).resolves.toHaveLength(1);

    await server!.stop();
    for (let i = 0; i < 3; i += 1) {
      const error = await failureOf(adapter.predict([rows[0]!], opts()));
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).not.toBeInstanceOf(CircuitOpenError);
      expect(error.message).toMatch(/unreachable \((ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)\)/);
    }
    const openedAt = Date.now();
    expect(await circuitState(registry)).toBe(2);
    const fastStart = performance.now();
    const fast = await failureOf(adapter.predict([rows[0]!], opts()));
    expect(performance.now() - fastStart).toBeLessThan(50);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect(classifyFailure(fast)).toBe('outage'); // redelivered by the runtime, never dead-lettered

    await server!.start();
    await new Promise((r) => setTimeout(r, Math.max(0, openedAt + cooldownMs - Date.now())));
    await expect(adapter.predict([rows[1]!], opts())).resolves.toHaveLength(1); // the half-open probe
    expect(await circuitState(registry)).toBe(0);
    await expect(adapter.predict(rows.slice(0, 8), opts())).resolves.toHaveLength(8);
  });
});
