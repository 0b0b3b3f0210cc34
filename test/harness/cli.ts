import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'apps', 'cli', 'dist', 'main.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The built operator CLI as a real process, without blocking this one (a stage under test in this process must keep
 * heartbeating; a spawnSync of a few seconds would get it evicted from its group). Killed after 90 s.
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** runCli, failing with the CLI's stderr unless it exits 0. */
export async function cliOk(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const result = await runCli(args, env);
  if (result.status !== 0) throw new Error(`spine-cli ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result;
}
