import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freePort } from '../harness/free-port.js';
import { modelsVenv, type ModelsVenv } from './python-env.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The fraud model as MLServer serves it (written by libs/fraud-model/scripts/export-onnx.py). */
export const FRAUD_MLSERVER_DIR = join(ROOT, 'libs', 'fraud-model', 'mlserver', 'fraud-lr-1.0.0');
/** A model that answers after 3 s, for timeouts. */
export const SLOW_MLSERVER_DIR = join(import.meta.dirname, 'mlserver-slow');

export interface MlServer {
  /** REST base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly metricsUrl: string;
  readonly log: string;
  /** Stops the server (SIGTERM to its process group, SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Starts it again on the same ports, waiting until its models are ready. */
  start(): Promise<void>;
  /** Stops it and deletes its model copies and log. */
  close(): Promise<void>;
  /** Successful inference requests the server counted for a model (its own Prometheus metrics). */
  inferRequests(model: string): Promise<number>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid) killGroup(child.pid, 'SIGKILL');
});

/**
 * MLServer (from the cached venv) serving copies of `modelDirs` on free ports: inference in the server process
 * (no worker pool: 2 cores), no access log, output to a log file, stdin closed. Resolves once every model is ready.
 */
export async function startMlServer(modelDirs: readonly string[], venvPromise: Promise<ModelsVenv> = modelsVenv()): Promise<MlServer> {
  const venv = await venvPromise;
  const repo = mkdtempSync(join(tmpdir(), 'spine-mlserver-'));
  for (const dir of modelDirs) cpSync(dir, join(repo, basename(dir)), { recursive: true });
  const models = modelDirs.map((dir) => (JSON.parse(readFileSync(join(dir, 'model-settings.json'), 'utf8')) as { name: string }).name);
  let [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
  const log = join(repo, 'mlserver.log');
  const url = () => `http://127.0.0.1:${http}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const out = openSync(log, 'a');
    child = spawn(venv.bin('mlserver'), ['start', repo], {
      stdio: ['ignore', out, out],
      detached: true,
      env: {
        ...process.env,
        MLSERVER_HOST: '127.0.0.1',
        MLSERVER_HTTP_PORT: String(http),
        MLSERVER_GRPC_PORT: String(grpc),
        MLSERVER_METRICS_PORT: String(metrics),
        MLSERVER_PARALLEL_WORKERS: '0',
        MLSERVER_DEBUG: 'false',
      },
    });
    closeSync(out);
    running.add(child);
    await waitReady(child, url(), models, log);
  };

  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c?.pid || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    killGroup(c.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(c.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    running.delete(c);
  };

  // Its ports are free when chosen but bound seconds later; another process may take one meanwhile: new ports, again.
  for (let attempt = 1; ; attempt++) {
    const logged = logLength(log);
    try {
      await start();
      break;
    } catch (error) {
      await stop();
      const portTaken = readFileSync(log, 'utf8').slice(logged).includes('address already in use');
      if (attempt >= 3 || !portTaken) throw error;
      [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
    }
  }
  return {
    url: url(),
    metricsUrl: `http://127.0.0.1:${metrics}/metrics`,
    log,
    stop,
    start,
    async close() {
      await stop();
      rmSync(repo, { recursive: true, force: true });
    },
    async inferRequests(model) {
      const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
      const pattern = new RegExp(`^model_infer_request_success_total\\{[^}]*model="${model}"[^}]*\\} ([0-9.e+]+)$`, 'gm');
      return [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

async function waitReady(child: ChildProcess, url: string, models: readonly string[], log: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  const paths = ['/v2/health/ready', ...models.map((m) => `/v2/models/${m}/ready`)];
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`MLServer exited (${child.exitCode ?? child.signalCode}) before it was ready; log ${log}:\n${tail(log)}`);
    const ok = await Promise.all(paths.map((p) => fetch(url + p).then((r) => r.ok, () => false)));
    if (ok.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`MLServer was not ready within 90 s (${paths.join(', ')}); log ${log}:\n${tail(log)}`);
}

function logLength(log: string): number {
  try {
    return readFileSync(log, 'utf8').length;
  } catch {
    return 0;
  }
}

function tail(log: string): string {
  try {
    return readFileSync(log, 'utf8').split('\n').slice(-25).join('\n');
  } catch {
    return '(no log)';
  }
}
