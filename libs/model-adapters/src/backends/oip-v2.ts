import { f } from '../config/fields.js';
import { defineKind, type AdapterContext } from '../config/kind.js';
import { AdapterConfigError, InvalidModelOutputError, ModelUnavailableError } from '../errors.js';
import { errorDetail, failureForStatus, parseRetryAfter, unreachable } from './http-failures.js';
import { packRows, unpackRows, type TensorRow } from './tensors.js';

interface InferOutput {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  data?: unknown;
}

/**
 * Open Inference Protocol v2 over REST (KServe, Triton, MLServer, Seldon): one request carries a batch as one
 * tensor [n, width]; the answer's chosen output is read back as n rows.
 */
export const oipV2Kind = defineKind({
  kind: 'oip-v2',
  description: 'A model server speaking the Open Inference Protocol v2 REST API (KServe, Triton, MLServer, Seldon). Inputs are rows of numbers; outputs are rows of the chosen output tensor.',
  batchable: true,
  defaults: { timeoutMs: 5_000, maxConcurrency: 8, batching: { maxSize: 64 } },
  fields: {
    url: f.string({ description: 'Base URL of the server, e.g. "http://127.0.0.1:8080" (the adapter adds /v2/...).', minLength: 1 }),
    remoteName: f.string({ description: 'Model name on the server; default `name`.', optional: true }),
    remoteVersion: f.string({ description: "Model version on the server (`/versions/{v}` in the path); default none: the server's default version.", optional: true }),
    input: f.object({
      description: 'The input tensor.',
      fields: {
        name: f.string({ description: 'Input tensor name the model declares.', default: 'input-0', minLength: 1 }),
        datatype: f.string({ description: 'Tensor datatype.', enum: ['FP32', 'FP64'], default: 'FP32' }),
        width: f.integer({ description: 'Values per input row the model takes; a row of another width is refused here (permanent) instead of failing on the server.', optional: true, min: 1 }),
      },
    }),
    output: f.string({ description: "Output to request and read (e.g. \"predict_proba\"); default the server's default outputs, first one read.", optional: true }),
    headers: f.stringMap({ description: 'Extra request headers (e.g. a gateway routing header).', optional: true }),
    bearerTokenEnv: f.string({ description: 'Environment variable whose value is sent as `Authorization: Bearer …` (secrets stay out of configuration).', optional: true }),
  },
  check(config, issues) {
    if (!/^https?:\/\/[^/]/.test(config.url)) issues.push({ field: 'url', message: 'must be an http:// or https:// URL' });
  },
  async create(config, context) {
    const base = config.url.replace(/\/+$/, '');
    const modelPath = `/v2/models/${encodeURIComponent(config.remoteName ?? config.name)}${config.remoteVersion ? `/versions/${encodeURIComponent(config.remoteVersion)}` : ''}`;
    const what = `${config.name}@${config.version} (oip-v2 ${base}${modelPath})`;
    const headers = requestHeaders(config.headers, config.bearerTokenEnv, context, `${config.name}@${config.version}`);
    const fetchFn = context.fetch ?? fetch;

    const request = async (path: string, signal: AbortSignal, body?: string): Promise<Response> => {
      try {
        return await fetchFn(base + path, { method: body === undefined ? 'GET' : 'POST', headers, body, signal });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw unreachable(what, error);
      }
    };
    const readText = async (res: Response, signal: AbortSignal): Promise<string> => {
      try {
        return await res.text();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw unreachable(what, error);
      }
    };

    return {
      target: `${base}${modelPath}`,
      maxBatchSize: Number.MAX_SAFE_INTEGER,
      async invoke(rows: readonly TensorRow[], signal: AbortSignal) {
        const { data, width } = packRows(rows, config.input.width, what, (n) => new Array<number>(n));
        const body = JSON.stringify({
          inputs: [{ name: config.input.name, shape: [rows.length, width], datatype: config.input.datatype, data }],
          ...(config.output ? { outputs: [{ name: config.output }] } : {}),
        });
        const res = await request(`${modelPath}/infer`, signal, body);
        const text = await readText(res, signal);
        if (!res.ok) throw failureForStatus(res.status, what, errorDetail(text), parseRetryAfter(res.headers));
        return { outputs: readOutput(text, config.output, rows.length, what) };
      },
      async ready(signal: AbortSignal) {
        for (const path of ['/v2/health/ready', `${modelPath}/ready`]) {
          const res = await request(path, signal);
          const text = await readText(res, signal);
          if (!res.ok) throw new ModelUnavailableError(`${what}: not ready (GET ${path}: HTTP ${res.status} ${errorDetail(text)})`, 'not_ready');
        }
      },
      async metadata(signal: AbortSignal) {
        const res = await request(modelPath, signal);
        const text = await readText(res, signal);
        if (!res.ok) throw failureForStatus(res.status, what, errorDetail(text), undefined);
        return JSON.parse(text) as unknown;
      },
    };
  },
});

function readOutput(text: string, name: string | undefined, n: number, what: string): number[][] {
  let reply: { outputs?: unknown };
  try {
    reply = JSON.parse(text) as { outputs?: unknown };
  } catch {
    throw new InvalidModelOutputError(`${what}: the reply is not JSON: ${text.slice(0, 200)}`);
  }
  const outputs = Array.isArray(reply?.outputs) ? (reply.outputs as InferOutput[]) : [];
  const output = name === undefined ? outputs[0] : outputs.find((o) => o?.name === name);
  if (!output) throw new InvalidModelOutputError(`${what}: the reply has no output ${name ? `"${name}"` : ''} (outputs: ${outputs.map((o) => String(o?.name)).join(', ') || 'none'})`);
  const shape = output.shape;
  if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s))) throw new InvalidModelOutputError(`${what}: output "${String(output.name)}" has no valid shape`);
  if (!Array.isArray(output.data)) throw new InvalidModelOutputError(`${what}: output "${String(output.name)}" has no data array`);
  return unpackRows(output.data as number[], shape as number[], n, what);
}

/** Static headers plus a bearer token read from the environment (refused at creation when the variable is unset). */
export function requestHeaders(extra: Record<string, string> | undefined, tokenEnv: string | undefined, context: AdapterContext, subject: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (tokenEnv) {
    const token = (context.env ?? process.env)[tokenEnv];
    if (!token) throw new AdapterConfigError([{ field: 'bearerTokenEnv', message: `environment variable ${tokenEnv} is not set` }], subject);
    headers.authorization = `Bearer ${token}`;
  }
  return headers;
}
