import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(import.meta.dirname, '..', '..');
const logDir = join(root, '.spine', 'test-logs');

export { freePort } from './free-port.js';

/** One Spine service as a real OS process (built output), so tests can SIGTERM and kill -9 it. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  readonly logFile: string;

  constructor(
    readonly service: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly label: string = service,
  ) {
    mkdirSync(logDir, { recursive: true });
    this.logFile = join(logDir, `${env.SPINE_TOPIC_PREFIX ?? ''}${label}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** How the process ended, once it has (undefined before start). */
  get exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined {
    return this.exit;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<this> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(root, 'apps', this.service, 'dist', 'main.js')], {
      env: { ...process.env, NODE_OPTIONS: '', ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await this.waitReady();
    return this;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exit?.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${this.label} exited during start-up; see ${this.logFile}`);
      const ok = await fetch(`${this.url}/health/ready`).then((r) => r.ok, () => false);
      if (ok) return;
      await sleep(250);
    }
    throw new Error(`${this.label} not ready within ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** Sends `signal`; resolves with how the process ended and how long it took. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 40_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    if (!this.child || !this.exit) throw new Error(`${this.label} was not started`);
    const started = Date.now();
    this.child.kill(signal);
    const outcome = await Promise.race([this.exit, sleep(timeoutMs).then(() => undefined)]);
    if (!outcome) {
      this.child.kill('SIGKILL');
      throw new Error(`${this.label} ignored ${signal} for ${timeoutMs} ms`);
    }
    this.child = undefined;
    return { ...outcome, ms: Date.now() - started };
  }

  async metric(name: string): Promise<number> {
    const text = await fetch(`${this.url}/metrics`).then((r) => r.text());
    return text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }

  async kill(): Promise<void> {
    if (this.child) await this.stop('SIGKILL').catch(() => undefined);
  }
}

/** A service spawned without waiting for readiness (it waits for Kafka, or never becomes ready): started = spawned. */
export class SpawnedProcess extends ServiceProcess {
  override async waitReady(): Promise<void> {}
}
