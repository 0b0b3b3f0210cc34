import { isAbsolute, resolve } from 'node:path';
import { f } from '../config/fields.js';
import { defineKind } from '../config/kind.js';
import { AdapterConfigError } from '../errors.js';
import { packRows, unpackRows, type TensorRow } from './tensors.js';

const FLOAT_TYPES = { float64: Float64Array, float32: Float32Array } as const;

/** An ONNX model file run by onnxruntime-node (CPU) in this process; a batch is the first dimension of one tensor. */
export const onnxKind = defineKind({
  kind: 'onnx',
  description: 'An ONNX model file run in process by onnxruntime-node (CPU). Inputs are rows of numbers (e.g. featureVector()); outputs are rows of the chosen output tensor.',
  batchable: true,
  defaults: { timeoutMs: 2_000, maxConcurrency: 2, retries: { maxAttempts: 1 }, circuitBreaker: { enabled: false }, batching: { maxSize: 64 } },
  fields: {
    path: f.string({ description: 'The .onnx file; relative paths resolve against the context baseDir (default: working directory).', minLength: 1 }),
    input: f.string({ description: "Input tensor name; default the model's only input.", optional: true }),
    output: f.string({ description: "Output tensor name (e.g. \"probabilities\"); default the model's only output.", optional: true }),
    intraOpThreads: f.integer({ description: 'onnxruntime intra-op threads (CPU cores one run may use).', default: 1, min: 1, max: 64 }),
  },
  async create(config, context) {
    const { InferenceSession, Tensor } = await import('onnxruntime-node');
    const path = isAbsolute(config.path) ? config.path : resolve(context.baseDir ?? process.cwd(), config.path);
    const subject = `${config.name}@${config.version}`;
    const fail = (field: string, message: string): never => {
      throw new AdapterConfigError([{ field, message }], subject);
    };
    let session: Awaited<ReturnType<typeof InferenceSession.create>>;
    try {
      session = await InferenceSession.create(path, { intraOpNumThreads: config.intraOpThreads, interOpNumThreads: 1, executionMode: 'sequential' });
    } catch (error) {
      return fail('path', `cannot load ONNX model ${path}: ${(error as Error).message}`);
    }
    const pick = (field: 'input' | 'output', names: readonly string[], chosen: string | undefined): string => {
      if (chosen !== undefined) return names.includes(chosen) ? chosen : fail(field, `the model has no ${field} "${chosen}"; it has ${names.join(', ')}`);
      return names.length === 1 ? names[0]! : fail(field, `the model has ${names.length} ${field}s (${names.join(', ')}): name one`);
    };
    const input = pick('input', session.inputNames, config.input);
    const output = pick('output', session.outputNames, config.output);
    const meta = session.inputMetadata[session.inputNames.indexOf(input)];
    const type = meta?.isTensor ? meta.type : undefined;
    if (type !== 'float64' && type !== 'float32') return fail('input', `input "${input}" is ${type ?? 'not a tensor'}; this adapter feeds float64 or float32 rows`);
    const dims = meta?.isTensor ? meta.shape : [];
    const width = typeof dims[1] === 'number' ? dims[1] : undefined;
    const what = `${subject} (onnx ${path})`;

    return {
      target: path,
      maxBatchSize: typeof dims[0] === 'number' ? dims[0] : Number.MAX_SAFE_INTEGER,
      async invoke(rows: readonly TensorRow[]) {
        const { data, width: d } = packRows(rows, width, what, (n) => new FLOAT_TYPES[type](n));
        const feeds = { [input]: new Tensor(type, data, [rows.length, d]) };
        const result = await session.run(feeds, [output]);
        const tensor = result[output];
        if (!tensor) throw new Error(`${what}: onnxruntime returned no "${output}"`);
        return { outputs: unpackRows(tensor.data as ArrayLike<number | bigint>, tensor.dims, rows.length, what) };
      },
      async metadata() {
        return { inputs: session.inputMetadata, outputs: session.outputMetadata };
      },
      async close() {
        await session.release();
      },
    };
  },
});
