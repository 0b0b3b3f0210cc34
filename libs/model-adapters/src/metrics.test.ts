import { Registry } from 'prom-client';
import { createModelAdapter } from './create-adapter.js';

const opts = () => ({ signal: new AbortController().signal });

describe('adapter metrics on a shared prom-client registry', () => {
  it('labels every series with model, version and kind, and exposes them in the Prometheus format', async () => {
    const registry = new Registry();
    const context = { registry, functions: { twice: (x: number) => x * 2, broken: () => Promise.reject(new Error('flaky')) } };
    const v1 = await createModelAdapter<number, number>({ kind: 'in-process', name: 'toy', version: '1.0.0', function: 'twice' }, context);
    const v2 = await createModelAdapter<number, number>({ kind: 'in-process', name: 'toy', version: '2.0.0', function: 'broken' }, context);
    await v1.predict([1, 2, 3], opts());
    await v1.predict([4], opts());
    await v2.predict([1], opts()).catch(() => undefined);

    const text = await registry.metrics();
    const v1Labels = 'model="toy",version="1.0.0",kind="in-process"';
    expect(text).toContain(`spine_model_predict_duration_seconds_count{${v1Labels}} 2`);
    expect(text).toContain(`spine_model_request_duration_seconds_bucket{${v1Labels},outcome="ok",le="+Inf"} 2`);
    expect(text).toContain(`spine_model_batch_size_bucket{${v1Labels},le="1"} 1`);
    expect(text).toContain(`spine_model_batch_size_bucket{${v1Labels},le="4"} 2`);
    expect(text).toContain(`spine_model_batch_size_sum{${v1Labels}} 4`);
    expect(text).toContain(`spine_model_circuit_state{${v1Labels}} 0`);
    expect(text).toContain('spine_model_errors_total{model="toy",version="2.0.0",kind="in-process",failure="transient",reason="Error"} 1');
    expect(text).toContain('spine_model_request_duration_seconds_count{model="toy",version="2.0.0",kind="in-process",outcome="error"} 1');
    expect(text).toMatch(/# TYPE spine_model_request_duration_seconds histogram/);
    // a scrape twice gives the same (no state consumed)
    expect(await registry.metrics()).toBe(text);
  });
});
