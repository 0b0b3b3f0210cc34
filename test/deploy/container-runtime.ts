import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export const root = join(import.meta.dirname, '..', '..');
export const logDir = join(root, '.spine', 'test-logs');
const script = join(root, 'scripts', 'containers.sh');
const run = promisify(execFile);

/**
 * Why the container tests cannot run here, or undefined when they can: podman is installed, or
 * scripts/containers.sh can install it (root and apt-get).
 */
export function containersUnavailable(): string | undefined {
  const onPath = (cmd: string) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, cmd)));
  if (onPath('podman')) return undefined;
  if (process.getuid?.() === 0 && onPath('apt-get')) return undefined;
  return 'podman is not installed and cannot be installed here (scripts/containers.sh setup needs root and apt-get): install podman, runc and debootstrap to run the container tests';
}

/** The local stack broker's log lines naming `needle` (a consumer group), for a failure's message; '' when there is no such log. */
function brokerLines(needle: string, lines = 15): string {
  const stateDir = process.env.SPINE_STATE_DIR ?? `/var/tmp/spine-${userInfo().username}`;
  try {
    const found = readFileSync(join(stateDir, 'logs', 'kafka.log'), 'utf8').split('\n').filter((line) => line.includes(needle));
    return found.length ? `\nthe broker's log about ${needle}:\n${found.slice(-lines).map((line) => line.slice(0, 400)).join('\n')}` : `\nthe broker's log does not mention ${needle}`;
  } catch {
    return '';
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs `bash scripts/containers.sh <args>` with its output in `logFile`; resolves with how long it took. */
export async function containersScript(args: string[], logFile: string, timeoutMs: number): Promise<number> {
  mkdirSync(logDir, { recursive: true });
  const fd = openSync(logFile, 'a');
  const started = Date.now();
  try {
    const child = spawn('bash', [script, ...args], { cwd: root, stdio: ['ignore', fd, fd] });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`bash scripts/containers.sh ${args.join(' ')} failed (exit ${code}); last lines of ${logFile}:\n${tail(logFile)}`);
  } finally {
    closeSync(fd);
  }
  return Date.now() - started;
}

/** podman with scripts/containers.sh's flags; `env` values reach podman by name only (never on a command line). */
export async function podman(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('bash', [script, 'podman', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`podman ${args.join(' ')}: ${error.stderr?.trim() || error.message}`);
  });
  return stdout;
}

const OWNER_LABEL = 'org.spine.test-owner';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes test containers whose test process is gone (a run that was killed before its afterAll). */
export async function sweepOrphans(): Promise<string[]> {
  const lines = (await podman(['ps', '--all', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.Names}} {{index .Labels "${OWNER_LABEL}"}}`])).trim();
  const orphans = lines ? lines.split('\n').map((l) => l.split(' ')).filter(([, pid]) => !alive(Number(pid))).map(([name]) => name!) : [];
  if (orphans.length) await podman(['rm', '--force', '--time', '5', ...orphans]);
  return orphans;
}

/** One Spine service in a container of the image on the host network, its output in a log file. */
export class ServiceContainer {
  readonly name: string;
  readonly logFile: string;
  startedAt = 0;
  /** From `podman run` to the container running, and to /health/ready answering 200. */
  runningAfterMs = 0;
  readyAfterMs = 0;

  constructor(
    readonly image: string,
    readonly service: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    label: string,
  ) {
    this.name = `spine-test-${label}-${service}`;
    this.logFile = join(logDir, `container-${label}-${service}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    mkdirSync(logDir, { recursive: true });
    const env = { ...this.env, PORT: String(this.port), HOST: '127.0.0.1' };
    this.startedAt = Date.now();
    await podman([
      'run', '--detach', '--name', this.name, '--network', 'host', '--ulimit', 'host',
      // What the Helm chart's securityContext asks: a read-only root filesystem (podman mounts a tmpfs on /tmp),
      // no capabilities, no privilege escalation.
      '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
      '--label', `${OWNER_LABEL}=${process.pid}`,
      '--log-driver', 'k8s-file', '--log-opt', `path=${this.logFile}`,
      ...Object.keys(env).flatMap((name) => ['--env', name]),
      this.image, this.service,
    ], env);
    this.runningAfterMs = Date.now() - this.startedAt;
  }

  /**
   * Polls /health/ready until 200; fails naming the log when the container exits or time runs out. The window is
   * wide: nine services start at once on two cores beside other suites, and each normally takes about 35 s.
   */
  async waitReady(timeoutMs = 150_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let answer = 'no answer yet';
    while (Date.now() < deadline) {
      const status = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        async (r) => {
          answer = `${r.status} ${await r.text()}`;
          return r.status;
        },
        () => 0,
      );
      if (status === 200) {
        this.readyAfterMs = Date.now() - this.startedAt;
        return;
      }
      const state = (await podman(['inspect', '--format', '{{.State.Status}}', this.name]).catch(() => 'gone')).trim();
      if (state !== 'running') throw new Error(`${this.service} container is ${state} before it was ready; see ${this.logFile}:\n${tail(this.logFile)}`);
      await sleep(250);
    }
    throw new Error(`${this.service} container not ready within ${timeoutMs} ms; /health/ready last answered ${answer}; see ${this.logFile}:\n${tail(this.logFile)}${brokerLines(`${this.env.SPINE_TOPIC_PREFIX ?? ''}spine.${this.service}`)}`);
  }

  /** The host pid of the container's main process. */
  async pid(): Promise<number> {
    return Number((await podman(['inspect', '--format', '{{.State.Pid}}', this.name])).trim());
  }

  /** `podman stop` (SIGTERM, then SIGKILL after `graceSeconds`); resolves with the main process's exit code. */
  async stop(graceSeconds = 40): Promise<number> {
    await podman(['stop', '--time', String(graceSeconds), this.name], {}, (graceSeconds + 20) * 1000);
    return Number((await podman(['inspect', '--format', '{{.State.ExitCode}}', this.name])).trim());
  }

  async remove(): Promise<void> {
    await podman(['rm', '--force', '--time', '5', this.name]).catch(() => undefined);
  }
}
