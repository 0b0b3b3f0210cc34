import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A cached virtualenv with the model tests' Python packages (scikit-learn, skl2onnx, onnx, MLServer), pinned in
 * libs/fraud-model/scripts/requirements.txt, installed from PyPI on first use (about 1.5 minutes) into
 * ~/.cache/spine/py-models (SPINE_CACHE_DIR moves it). A changed requirements file reinstalls. Two Jest workers
 * asking at once install it once: the second waits on a lock directory.
 */
const ROOT = join(import.meta.dirname, '..', '..');
export const REQUIREMENTS = join(ROOT, 'libs', 'fraud-model', 'scripts', 'requirements.txt');
const INSTALL_TIMEOUT_MS = 15 * 60_000;

export interface ModelsVenv {
  readonly dir: string;
  readonly python: string;
  /** The venv's executables, e.g. bin('mlserver'). */
  bin(name: string): string;
}

export function modelsVenvDir(): string {
  return join(process.env.SPINE_CACHE_DIR ?? join(homedir(), '.cache', 'spine'), 'py-models');
}

function venvAt(dir: string): ModelsVenv {
  return { dir, python: join(dir, 'bin', 'python'), bin: (name) => join(dir, 'bin', name) };
}

/** The venv when it is installed and current, without installing (for the benchmark). */
export function existingModelsVenv(): ModelsVenv | undefined {
  const dir = modelsVenvDir();
  return readMarker(dir) === requirementsHash() ? venvAt(dir) : undefined;
}

export async function modelsVenv(): Promise<ModelsVenv> {
  const dir = modelsVenvDir();
  const want = requirementsHash();
  if (readMarker(dir) === want) return venvAt(dir);
  const lock = `${dir}.lock`;
  mkdirSync(join(dir, '..'), { recursive: true });
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  while (!tryLock(lock)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for another process installing ${dir} (lock ${lock}); remove the lock if no install runs`);
    await new Promise((r) => setTimeout(r, 1_000));
    if (readMarker(dir) === want) return venvAt(dir);
  }
  try {
    if (readMarker(dir) !== want) await install(dir, want);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return venvAt(dir);
}

function requirementsHash(): string {
  return createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
}

function readMarker(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, '.installed'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A lock directory with the holder's pid; a lock whose holder died is taken over. */
function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch {
    const pid = Number(readFileSyncSafe(join(lock, 'pid')));
    if (pid > 0 && !alive(pid)) {
      rmSync(lock, { recursive: true, force: true });
      return tryLock(lock);
    }
    return false;
  }
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** python3.11/3.12 from SPINE_PYTHON, then python3.12, python3.11, python3 — whichever answers first with a fitting version. */
function findPython(): string {
  const candidates = [process.env.SPINE_PYTHON, 'python3.12', 'python3.11', 'python3'].filter((c): c is string => !!c);
  const seen: string[] = [];
  for (const candidate of candidates) {
    const r = spawnSync(candidate, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    const version = r.status === 0 ? r.stdout.trim() : undefined;
    if (version === '3.11' || version === '3.12') return candidate;
    seen.push(`${candidate}: ${version ?? 'not found or no venv module'}`);
  }
  throw new Error(`the model tests need Python 3.11 or 3.12 with venv (mlserver 1.7 wants < 3.13, numpy 2.4 ≥ 3.11); found ${seen.join('; ')}. Install one or set SPINE_PYTHON`);
}

async function install(dir: string, hash: string): Promise<void> {
  const python = findPython();
  const log = `${dir}.install.log`;
  const started = Date.now();
  progress(`creating ${dir} from PyPI (first run; ~1.5 min; log ${log})`);
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(log, '');
  await run(python, ['-m', 'venv', dir], log);
  await run(join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', '-r', REQUIREMENTS], log);
  writeFileSync(join(dir, '.installed'), hash);
  progress(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function progress(message: string): void {
  process.stderr.write(`[py-models] ${message}\n`);
}

/** Runs a command, its output to the log and the lines pip prints as it goes ("Collecting …") as progress. */
function run(command: string, args: string[], log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log, { flags: 'a' });
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk: Buffer) => {
      out.write(chunk);
      tail = (tail + chunk.toString()).slice(-4_000);
      for (const line of chunk.toString().split('\n')) if (/^(Collecting|Installing|Successfully)/.test(line)) progress(line.trim().slice(0, 120));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.on('error', (error) => reject(new Error(`${command} could not start: ${error.message}`)));
    child.on('close', (code) => {
      clearTimeout(timer);
      out.end();
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}); it needs PyPI (pip's proxy settings apply). Last output:\n${tail}\nFull log: ${log}`));
    });
  });
}
