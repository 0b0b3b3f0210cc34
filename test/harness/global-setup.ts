import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * Where the tests find Kafka, the schema registry and PostgreSQL — always real ones:
 *  1. KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL when all are set (an existing cluster);
 *  2. otherwise testcontainers, when a Docker engine answers;
 *  3. otherwise the project's local stack (scripts/stack.sh), started if needed.
 * The choice is exported through process.env, which Jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.DATABASE_URL) {
    log(`using the stack from the environment (Kafka ${process.env.KAFKA_BROKERS})`);
    return;
  }
  if (dockerAnswers()) {
    const { startContainers } = await import('./containers.js');
    Object.assign(process.env, await startContainers());
    log('using testcontainers');
    return;
  }
  const root = join(import.meta.dirname, '..', '..');
  const stateDir = process.env.SPINE_STATE_DIR ?? `/var/tmp/spine-${userInfo().username}`;
  const envFile = join(stateDir, 'stack.env');
  log('no Docker engine: using the local stack (scripts/stack.sh up)');
  execFileSync('bash', [join(root, 'scripts', 'stack.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!existsSync(envFile)) throw new Error(`the local stack did not write ${envFile}; see scripts/stack.sh logs`);
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) process.env[match[1]!] ??= match[2]!.replace(/^["']|["']$/g, '');
  }
}

function dockerAnswers(): boolean {
  if (process.env.SPINE_TEST_DOCKER === 'false') return false;
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 5_000 });
  return result.status === 0;
}

function log(message: string): void {
  process.stderr.write(`[test-harness] ${message}\n`);
}
