// Child processes of the bench modes (Spine services, raw loops): stdin /dev/null, stdout and stderr straight
// into a log file (never the bench's own streams), stopped by SIGTERM (then SIGKILL) through the cleanup list.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError, ROOT, log } from './common.mjs';

export const LOG_DIR = join(ROOT, '.spine', 'bench-logs');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * The environment a child gets: the bench's, minus what would change its behaviour unasked (tracing, node flags).
 * SPINE_BENCH_CHILD_NODE_OPTIONS becomes the children's NODE_OPTIONS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
function childEnv(extra) {
  const env = { ...process.env, NODE_OPTIONS: process.env.SPINE_BENCH_CHILD_NODE_OPTIONS ?? '' };
  delete env.SPINE_BENCH_CHILD_NODE_OPTIONS;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined || v === null) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

export class Child {
  #exit;
  exited = null;

  /**
   * @param label   name in logs (file .spine/bench-logs/<prefix><label>.log)
   * @param script  path of the Node entry point (relative to the repo root)
   * @param env     extra environment (PORT, SPINE_TOPIC_PREFIX, ...)
   */
  constructor(label, script, env, cleanup, { prefix = '', port = null } = {}) {
    this.label = label;
    this.script = script;
    this.env = env;
    this.cleanup = cleanup;
    this.port = port;
    mkdirSync(LOG_DIR, { recursive: true });
    this.logFile = join(LOG_DIR, `${prefix}${label}.log`);
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  start() {
    const fd = openSync(this.logFile, 'a');
    try {
      this.child = spawn(process.execPath, [join(ROOT, this.script)], {
        cwd: ROOT,
        env: childEnv({ ...this.env, ...(this.port ? { PORT: this.port, HOST: '127.0.0.1' } : {}) }),
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd); // the child has its own copy
    }
    this.pid = this.child.pid;
    this.startedAt = Date.now();
    this.#exit = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exited = { code, signal, at: Date.now() };
        resolve(this.exited);
      }),
    );
    this.unregister = this.cleanup.emergency(() => this.child?.kill('SIGKILL'));
    this.stopEarly = this.cleanup.add(`stop ${this.label}`, () => this.stop());
    return this;
  }

  /** Waits for GET /health/ready (a Spine service: its stages joined their groups). */
  async waitReady(timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.cleanup.check();
      if (this.exited) throw new BenchError(`${this.label} exited during start-up (${this.describeExit()}); see ${this.logFile}:\n${this.tail()}`);
      const ok = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (ok) return this;
      await sleep(200);
    }
    throw new BenchError(`${this.label} not ready within ${timeoutMs / 1000} s; see ${this.logFile}`);
  }

  /** Fails when the child has exited (it should be running). */
  assertRunning() {
    if (this.exited) throw new BenchError(`${this.label} exited unexpectedly (${this.describeExit()}); see ${this.logFile}:\n${this.tail()}`);
  }

  describeExit() {
    return this.exited ? (this.exited.signal ? `signal ${this.exited.signal}` : `exit code ${this.exited.code}`) : 'running';
  }

  tail(lines = 12) {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `    | ${l.slice(0, 400)}`).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with how it ended and how long it took. */
  async stop(signal = 'SIGTERM', timeoutMs = 40_000) {
    if (!this.child) return null;
    const t0 = Date.now();
    if (!this.exited) {
      this.child.kill(signal);
      const outcome = await Promise.race([this.#exit, sleep(timeoutMs).then(() => null)]);
      if (!outcome) {
        log(`${this.label} ignored ${signal} for ${timeoutMs / 1000} s: SIGKILL`);
        this.child.kill('SIGKILL');
        await this.#exit;
      }
    }
    this.unregister?.();
    return { ...this.exited, ms: this.exited.at - t0 };
  }

  /** Marks it stopped for the cleanup list too (call after a deliberate stop()). */
  async stopNow(signal = 'SIGTERM') {
    const outcome = await this.stop(signal);
    await this.stopEarly?.();
    return outcome;
  }
}
