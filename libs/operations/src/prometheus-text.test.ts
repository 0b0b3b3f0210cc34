import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parsePrometheusText } from './prometheus-text.js';

// Input is what prom-client itself serves (registry.metrics()), so the parser is checked against the real exposition format.
describe('parsePrometheusText', () => {
  it('reads counters, gauges and histograms from prom-client, with labels, escaped quotes, NaN and +Inf', async () => {
    const registry = new Registry();
    const routed = new Counter({ name: 'spine_model_routed_total', help: 'records answered', labelNames: ['stage', 'version', 'routing'], registers: [registry] });
    routed.inc({ stage: 'fraud-scoring', version: '2.0.0', routing: 'CHAMPION' }, 30);
    routed.inc({ stage: 'fraud-scoring', version: '1.0.0', routing: 'SHADOW' }, 2);
    const reason = new Counter({ name: 'spine_model_errors_total', help: 'errors', labelNames: ['reason'], registers: [registry] });
    reason.inc({ reason: 'said "no", path C:\\models\nnext line' });
    const ratio = new Gauge({ name: 'spine_model_agreement_ratio', help: 'agreement', labelNames: ['version'], registers: [registry] });
    ratio.set({ version: '2.0.0' }, NaN);
    ratio.set({ version: '3.0.0' }, Infinity);
    ratio.set({ version: '4.0.0' }, -Infinity);
    const latency = new Histogram({ name: 'spine_model_predict_duration_seconds', help: 'latency', labelNames: ['version'], buckets: [0.01, 0.1], registers: [registry] });
    latency.observe({ version: '2.0.0' }, 0.005);
    latency.observe({ version: '2.0.0' }, 0.05);
    latency.observe({ version: '2.0.0' }, 5);

    const text = await registry.metrics();
    expect(text).toContain('\\"no\\"'); // prom-client escaped the quotes; the parser must undo it
    const samples = parsePrometheusText(text);
    const one = (name: string, labels: Record<string, string>) => samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    expect(one('spine_model_routed_total', { version: '2.0.0' })).toEqual([{ name: 'spine_model_routed_total', labels: { stage: 'fraud-scoring', version: '2.0.0', routing: 'CHAMPION' }, value: 30 }]);
    expect(one('spine_model_routed_total', { routing: 'SHADOW' })[0]!.value).toBe(2);
    expect(one('spine_model_errors_total', {})[0]!.labels.reason).toBe('said "no", path C:\\models\nnext line');
    expect(one('spine_model_agreement_ratio', { version: '2.0.0' })[0]!.value).toBeNaN();
    expect(one('spine_model_agreement_ratio', { version: '3.0.0' })[0]!.value).toBe(Infinity);
    expect(one('spine_model_agreement_ratio', { version: '4.0.0' })[0]!.value).toBe(-Infinity);

    const buckets = one('spine_model_predict_duration_seconds_bucket', { version: '2.0.0' }).map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([['0.01', 1], ['0.1', 2], ['+Inf', 3]]);
    expect(one('spine_model_predict_duration_seconds_count', { version: '2.0.0' })[0]!.value).toBe(3);
    expect(one('spine_model_predict_duration_seconds_sum', { version: '2.0.0' })[0]!.value).toBeCloseTo(5.055, 9);
    expect(samples.some((s) => s.name.startsWith('#') || s.name === 'HELP' || s.name === 'TYPE')).toBe(false);
  });

  it('skips comments, blank and malformed lines, and reads a sample with a timestamp', () => {
    const samples = parsePrometheusText('# HELP x help\n\nx{a="1"} 4 1700000000000\nnot a sample line\ny{a="1"} notanumber\nz 7\n');
    expect(samples).toEqual([{ name: 'x', labels: { a: '1' }, value: 4 }, { name: 'z', labels: {}, value: 7 }]);
  });
});
