import { Registry } from 'prom-client';
import { classifyFailure, DependencyUnavailableError } from '@spine/runtime';
import type { Backend } from './adapter.js';
import { validateAdapterConfig } from './config/adapter-config.js';
import { CircuitOpenError, ModelInputRefusedError, ModelRateLimitedError, ModelServerError, ModelTimeoutError, ModelUnavailableError } from './errors.js';
import { GuardedAdapter } from './guarded-adapter.js';

type Invoke = Backend<number, number>['invoke'];

/** An adapter around a scripted backend; config overrides as in a real configuration. */
function adapterOver(invoke: Invoke, overrides: Record<string, unknown> = {}, now?: () => number) {
  const registry = new Registry();
  const config = validateAdapterConfig({ kind: 'oip-v2', name: 'toy', version: '1.0.0', url: 'http://127.0.0.1:1', ...overrides });
  const backend: Backend<number, number> = { target: 'toy', maxBatchSize: 100, invoke };
  return { adapter: new GuardedAdapter(backend, config, { registry, now }), registry };
}

const doubled: Invoke = async (inputs) => ({ outputs: inputs.map((x) => x * 2) });
const opts = () => ({ signal: new AbortController().signal });

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/** Sum of a metric's samples with these labels (`series` picks e.g. a histogram's `_sum`). */
async function metric(registry: Registry, name: string, labels: Record<string, string> = {}, series = name): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => ((v as { metricName?: string }).metricName ?? name) === series && Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('GuardedAdapter', () => {
  it('answers one output per input, in order', async () => {
    const { adapter } = adapterOver(doubled);
    await expect(adapter.predict([1, 2, 3], opts())).resolves.toEqual([2, 4, 6]);
    expect(adapter.describe()).toEqual({ name: 'toy', version: '1.0.0', kind: 'oip-v2', target: 'toy' });
  });

  it('times out a slow backend as a transient ModelTimeoutError and aborts its request', async () => {
    let backendSignal: AbortSignal | undefined;
    const { adapter, registry } = adapterOver(
      (_inputs, signal) => {
        backendSignal = signal;
        return new Promise(() => undefined); // never answers, ignores its signal
      },
      { timeoutMs: 50, retries: { maxAttempts: 1 } },
    );
    const started = Date.now();
    const error = await failureOf(adapter.predict([1], opts()));
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect(classifyFailure(error)).toBe('transient');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(backendSignal?.aborted).toBe(true);
    expect(await metric(registry, 'spine_model_errors_total', { failure: 'transient', reason: 'timeout' })).toBe(1);
  });

  it("gives up at once with the caller's own reason when the caller's signal aborts, without retrying", async () => {
    let calls = 0;
    const { adapter, registry } = adapterOver(() => {
      calls += 1;
      return new Promise(() => undefined);
    });
    const caller = new AbortController();
    setTimeout(() => caller.abort(new Error('stage deadline')), 30);
    await expect(adapter.predict([1], { signal: caller.signal })).rejects.toThrow('stage deadline');
    expect(calls).toBe(1);
    expect(await metric(registry, 'spine_model_errors_total')).toBe(0);
  });

  it('retries transient failures with backoff, then answers', async () => {
    let calls = 0;
    const { adapter, registry } = adapterOver(async (inputs) => {
      calls += 1;
      if (calls < 3) throw new ModelServerError('boom', 500);
      return { outputs: inputs.map((x) => x + 1) };
    }, { retries: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 10 } });
    await expect(adapter.predict([1], opts())).resolves.toEqual([2]);
    expect(calls).toBe(3);
    expect(await metric(registry, 'spine_model_retries_total')).toBe(2);
  });

  it('waits what a 429 retry-after asks before retrying', async () => {
    const times: number[] = [];
    const { adapter } = adapterOver(async (inputs) => {
      times.push(Date.now());
      if (times.length === 1) throw new ModelRateLimitedError('slow down', 300);
      return { outputs: [...inputs] };
    }, { retries: { initialDelayMs: 1, maxDelayMs: 1 } });
    await expect(adapter.predict([7], opts())).resolves.toEqual([7]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(295);
  });

  it('fails at once when retry-after is longer than maxRetryAfterMs (the runtime retries later)', async () => {
    let calls = 0;
    const { adapter } = adapterOver(async () => {
      calls += 1;
      throw new ModelRateLimitedError('come back in an hour', 3_600_000);
    }, { retries: { maxRetryAfterMs: 1_000 } });
    const error = await failureOf(adapter.predict([1], opts()));
    expect(error).toBeInstanceOf(ModelRateLimitedError);
    expect(calls).toBe(1);
  });

  it('does not retry a refused input, and does not count it against the circuit', async () => {
    let calls = 0;
    const { adapter } = adapterOver(async () => {
      calls += 1;
      throw new ModelInputRefusedError('bad shape', 400);
    }, { circuitBreaker: { consecutiveFailures: 1 } });
    for (let i = 0; i < 3; i += 1) expect(classifyFailure(await failureOf(adapter.predict([1], opts())))).toBe('permanent');
    expect(calls).toBe(3); // the circuit never opened
  });

  it('opens the circuit on repeated outages, fails fast with DependencyUnavailableError, closes after a good probe', async () => {
    let now = 0;
    let down = true;
    let calls = 0;
    const { adapter, registry } = adapterOver(
      async (inputs) => {
        calls += 1;
        if (down) throw new ModelUnavailableError('refused', 'connection');
        return { outputs: [...inputs] };
      },
      { retries: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 }, circuitBreaker: { consecutiveFailures: 3, cooldownMs: 1_000 } },
      () => now,
    );
    await failureOf(adapter.predict([1], opts())); // attempts 1, 2
    await failureOf(adapter.predict([1], opts())); // attempt 3 opens; its retry fails fast
    expect(calls).toBe(3);
    const fast = await failureOf(adapter.predict([1], opts()));
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect(fast).toBeInstanceOf(DependencyUnavailableError);
    expect(calls).toBe(3);
    expect(await metric(registry, 'spine_model_circuit_state')).toBe(2);
    down = false;
    now += 999;
    expect(await failureOf(adapter.predict([1], opts()))).toBeInstanceOf(CircuitOpenError); // still cooling down
    now += 1;
    await expect(adapter.predict([5], opts())).resolves.toEqual([5]);
    expect(await metric(registry, 'spine_model_circuit_state')).toBe(0);
    expect(await metric(registry, 'spine_model_errors_total', { reason: 'circuit_open' })).toBe(3);
  });

  it('keeps at most maxConcurrency requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const { adapter } = adapterOver(async (inputs) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return { outputs: [...inputs] };
    }, { maxConcurrency: 3 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => adapter.predict([i], opts())));
    expect(results.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
  });

  it('micro-batches concurrent calls into one request, and isolates a poison input', async () => {
    const requests: number[][] = [];
    const { adapter, registry } = adapterOver(async (inputs) => {
      requests.push([...inputs]);
      if (inputs.includes(13)) throw new ModelServerError('cannot score 13', 500);
      return { outputs: inputs.map((x) => -x) };
    }, { batching: { enabled: true, maxSize: 16, maxWaitMs: 5 }, retries: { maxAttempts: 1 } });
    const good = await Promise.all(Array.from({ length: 10 }, (_, i) => adapter.predict([i], opts())));
    expect(good.flat()).toEqual(Array.from({ length: 10 }, (_, i) => -i));
    expect(requests).toHaveLength(1);
    expect(await metric(registry, 'spine_model_batch_size', {}, 'spine_model_batch_size_sum')).toBe(10);

    requests.length = 0;
    const mixed = await Promise.allSettled([12, 13, 14].map((x) => adapter.predict([x], opts())));
    expect(mixed.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(requests).toEqual([[12, 13, 14], [12], [13], [14]]);
  });
});
