#!/usr/bin/env node
// Adapter overhead per record against calling the backend directly, and micro-batching's gain against MLServer.
//   npx tsc -b libs/fraud-model libs/model-adapters && node libs/model-adapters/scripts/bench.mjs [--scale 1] [--json]
// Starts MLServer from the cached venv (test/models/python-env.ts creates it on first use, ~1.5 min) on free ports
// and stops it at the end. Inputs: real payments (test/models/fraud-inputs.ts), fraud-lr 1.0.0 in every form.
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// The test helpers are TypeScript importing each other as './x.js' (the repo's convention); Node strips their types
// but resolves '.js' literally, so map a missing './x.js' to './x.ts'.
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
      throw error;
    }
  },
});

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
const scale = Number(values.scale);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const { Registry } = await import('prom-client');
const { InferenceSession, Tensor } = await import('onnxruntime-node');
const { loadFraudModel } = await import('@spine/fraud-model');
const { createModelAdapter, fraudVector } = await import('@spine/model-adapters');
const { fraudInputs } = await import('../../../test/models/fraud-inputs.ts');
const { startMlServer, FRAUD_MLSERVER_DIR } = await import('../../../test/models/mlserver.ts');

const model = loadFraudModel('1.0.0');
const inputs = fraudInputs(300);
const rows = inputs.map(fraudVector);
const signal = new AbortController().signal; // a stage passes m.signal; one long-lived signal here
const registry = new Registry();
const results = [];
const log = (line) => values.json || console.log(line);

/** One case: `call(i)` for records, with `concurrency` loops (records split evenly between them). */
async function runOnce(n, concurrency, call) {
  let next = 0;
  const loop = async () => {
    while (next < n) await call(next++);
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * Measures cases side by side: after a warm-up, `rounds` rounds in which every case runs n/rounds records in turn,
 * so a slow moment of this shared machine hits all cases alike; reports per case the median round's wall time per
 * record (and the spread) and this process's CPU time per record (what the adapter itself costs, whatever the
 * backend's latency; a backend in another process is not counted).
 */
async function group(title, n, cases, rounds = 5) {
  log(title);
  const perRound = Math.max(1, Math.round(n / rounds));
  const times = cases.map(() => []);
  const cpu = cases.map(() => 0);
  for (const c of cases) await runOnce(Math.min(perRound, 500), c.concurrency ?? 1, c.call); // warm-up
  for (let r = 0; r < rounds; r += 1) {
    for (const [k, c] of cases.entries()) {
      const { ms, cpuMs } = await runOnce(perRound, c.concurrency ?? 1, c.call);
      times[k].push(ms / perRound);
      cpu[k] += cpuMs;
    }
  }
  return cases.map((c, k) => {
    const sorted = times[k].sort((a, b) => a - b);
    const us = sorted[Math.floor(rounds / 2)] * 1000;
    const cpuUs = (cpu[k] * 1000) / (perRound * rounds);
    const row = { name: c.name, records: perRound * rounds, concurrency: c.concurrency ?? 1, usPerRecord: us, recordsPerSecond: 1e6 / us, cpuUsPerRecord: cpuUs, spreadUs: [sorted[0] * 1000, sorted[rounds - 1] * 1000] };
    results.push(row);
    log(
      `  ${c.name.padEnd(56)} ${us.toFixed(2).padStart(9)} µs/record ${Math.round(row.recordsPerSecond).toString().padStart(7)} records/s ` +
        `${cpuUs.toFixed(2).padStart(8)} µs CPU/record  (rounds ${row.spreadUs.map((x) => x.toFixed(1)).join('–')} µs)`,
    );
    return row;
  });
}

const adapter = (config, extra = {}) => createModelAdapter({ name: 'fraud-lr', version: '1.0.0', ...config }, { registry, baseDir: ROOT, ...extra });

// --- in process -------------------------------------------------------------------------------------------------
let sink = 0;
const pick = (i) => inputs[i % inputs.length];
const row = (i) => rows[i % rows.length];
const inProcess = await adapter({ kind: 'in-process', function: 'fraud' }, { functions: { fraud: (x) => model.score(x) } });
const batch100 = inputs.slice(0, 100);
const [direct, viaAdapter] = await group('in process (fraud-lr score(), TypeScript)', Math.round(200_000 * scale), [
  { name: 'direct: model.score(input)', call: (i) => void (sink += model.score(pick(i)).score) },
  { name: 'adapter: await predict([input])', call: async (i) => void (sink += (await inProcess.predict([pick(i)], { signal }))[0].score) },
  { name: 'adapter: await predict(100 inputs), per record', call: async (i) => void (i % 100 === 0 && (sink += (await inProcess.predict(batch100, { signal }))[0].score)) },
]);

// --- ONNX -------------------------------------------------------------------------------------------------------
const onnxPath = 'libs/fraud-model/models/fraud-lr-1.0.0.onnx';
const session = await InferenceSession.create(join(ROOT, onnxPath), { intraOpNumThreads: 1, interOpNumThreads: 1 });
const tensorOf = (batch) => new Tensor('float64', Float64Array.from(batch.flat()), [batch.length, batch[0].length]);
const onnx = await adapter({ kind: 'onnx', path: onnxPath, output: 'probabilities' });
const onnxBatched = await adapter({ kind: 'onnx', path: onnxPath, output: 'probabilities', batching: { enabled: true, maxSize: 64, maxWaitMs: 1 } });
const rows64 = rows.slice(0, 64);
const [onnxDirect, onnxAdapter] = await group('onnx (onnxruntime-node, fraud-lr-1.0.0.onnx)', Math.round(20_000 * scale), [
  { name: 'direct: session.run(1 row)', call: async (i) => void (sink += (await session.run({ features: tensorOf([row(i)]) }, ['probabilities'])).probabilities.data[1]) },
  { name: 'adapter: await predict([row])', call: async (i) => void (sink += (await onnx.predict([row(i)], { signal }))[0][1]) },
  { name: 'direct: session.run(64 rows), per record', call: async (i) => void (i % 64 === 0 && (sink += (await session.run({ features: tensorOf(rows64) }, ['probabilities'])).probabilities.data[1])) },
  { name: 'adapter: predict(64 rows), per record', call: async (i) => void (i % 64 === 0 && (sink += (await onnx.predict(rows64, { signal }))[0][1])) },
  { name: 'adapter, micro-batching 64, 64 concurrent callers', concurrency: 64, call: async (i) => void (sink += (await onnxBatched.predict([row(i)], { signal }))[0][1]) },
]);
await session.release();

// --- MLServer ---------------------------------------------------------------------------------------------------
const server = await startMlServer([FRAUD_MLSERVER_DIR]);
try {
  const inferUrl = `${server.url}/v2/models/fraud-lr/infer`;
  const body = (batch) =>
    JSON.stringify({ inputs: [{ name: 'features', shape: [batch.length, batch[0].length], datatype: 'FP64', data: batch.flat() }], outputs: [{ name: 'predict_proba' }] });
  const postDirect = async (batch) => {
    const res = await fetch(inferUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(batch) });
    return (await res.json()).outputs[0].data[1];
  };
  const oip = { kind: 'oip-v2', url: server.url, input: { name: 'features', datatype: 'FP64' }, output: 'predict_proba' };
  const single = await adapter(oip); // maxConcurrency 8 (default): 64 requests at once overload MLServer into timeouts
  const [httpDirect, httpAdapter] = await group('MLServer, one record per request (OIP v2 REST, mlserver-sklearn)', Math.round(2_000 * scale), [
    { name: 'direct HTTP: fetch 1 row, sequential', call: async (i) => void (sink += await postDirect([row(i)])) },
    { name: 'adapter: await predict([row]), sequential', call: async (i) => void (sink += (await single.predict([row(i)], { signal }))[0][1]) },
  ], 20);
  const batched = {};
  for (const maxSize of [32, 64]) batched[maxSize] = await adapter({ ...oip, batching: { enabled: true, maxSize, maxWaitMs: 2 } });
  const [b1, b32, b64] = await group('MLServer, 64 concurrent callers of one record each', Math.round(10_000 * scale), [
    { name: 'adapter, batch 1 (no micro-batching; 8 in flight)', concurrency: 64, call: async (i) => void (sink += (await single.predict([row(i)], { signal }))[0][1]) },
    { name: 'adapter, micro-batching up to 32', concurrency: 64, call: async (i) => void (sink += (await batched[32].predict([row(i)], { signal }))[0][1]) },
    { name: 'adapter, micro-batching up to 64', concurrency: 64, call: async (i) => void (sink += (await batched[64].predict([row(i)], { signal }))[0][1]) },
    { name: 'direct HTTP: 64 rows per request, sequential (ceiling)', call: async (i) => void (i % 64 === 0 && (sink += await postDirect(rows64))) },
  ]);

  const overhead = (adapted, plain) => ({ wallUs: adapted.usPerRecord - plain.usPerRecord, cpuUs: adapted.cpuUsPerRecord - plain.cpuUsPerRecord });
  const summary = {
    overheadPerRecord: { inProcess: overhead(viaAdapter, direct), onnx: overhead(onnxAdapter, onnxDirect), mlserver: overhead(httpAdapter, httpDirect) },
    microBatchingGain32: b32.recordsPerSecond / b1.recordsPerSecond,
    microBatchingGain64: b64.recordsPerSecond / b1.recordsPerSecond,
  };
  if (values.json) console.log(JSON.stringify({ results, summary }, null, 2));
  else {
    const o = summary.overheadPerRecord;
    const show = ({ wallUs, cpuUs }) => `${cpuUs.toFixed(1)} µs CPU (${wallUs.toFixed(1)} µs wall)`;
    console.log(`adapter overhead per record, one record per call: in process ${show(o.inProcess)}, onnx ${show(o.onnx)}, MLServer ${show(o.mlserver)}`);
    console.log('  (CPU is this process only, so it is the adapter\'s own cost; wall differences smaller than the rounds\' spread are noise)');
    console.log(`micro-batching against MLServer (64 concurrent callers): ×${summary.microBatchingGain32.toFixed(1)} records/s with batches of up to 32, ×${summary.microBatchingGain64.toFixed(1)} with 64`);
  }
} finally {
  await Promise.all([inProcess, onnx, onnxBatched].map((a) => a.close()));
  await server.close();
}
if (Number.isNaN(sink)) console.log('(NaN in the results!)');
process.exit(0);
