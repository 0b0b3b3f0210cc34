import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A cached virtualenv with the interop test's Python packages (from PyPI, pinned in requirements.txt).
 * Returns the venv's python. Fails with the fix when python3 or pip is missing.
 */
export function interopPython(): string {
  const venv = join(process.env.SPINE_CACHE_DIR ?? join(homedir(), '.cache', 'spine'), 'py-interop');
  const python = join(venv, 'bin', 'python');
  const requirements = join(import.meta.dirname, 'requirements.txt');
  const ready = join(venv, '.installed');
  if (!existsSync(ready)) {
    try {
      execFileSync('python3', ['-m', 'venv', venv], { stdio: 'pipe' });
      execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], { stdio: 'pipe', timeout: 180_000 });
      execFileSync('touch', [ready]);
    } catch (error) {
      throw new Error(`could not prepare the Python interop environment in ${venv} (needs python3 with venv and pip, and PyPI): ${(error as Error).message}`);
    }
  }
  return python;
}
