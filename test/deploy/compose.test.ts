import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { spinePlatform } from '@spine/platform';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const STACK = ['postgres', 'kafka', 'registry'];

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}
type Compose = { services: Record<string, ComposeService> };

async function generator(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [join(root, 'tools', 'compose', 'generate.mjs'), ...args], { cwd: root, maxBuffer: 8 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** podman-compose from PyPI (pinned by tools/compose/requirements.txt, cached venv), through scripts/containers.sh. */
async function podmanCompose(args: string[], env: Record<string, string>): Promise<string> {
  // --dry-run: parse, interpolate and merge the file like `up` would, without asking podman anything.
  const { stdout } = await run('bash', [join(root, 'scripts', 'containers.sh'), 'compose', '--dry-run', '-f', join(root, 'docker-compose.yml'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    timeout: 300_000,
    maxBuffer: 8 * 1024 * 1024,
  }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`podman-compose ${args.join(' ')} refused docker-compose.yml: ${error.stderr?.trim() || error.message}`);
  });
  return stdout;
}

describe('docker-compose.yml', () => {
  const committed = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as Compose;

  it('is exactly what tools/compose/generate.mjs writes from the stage registry', async () => {
    const check = await generator('--check');
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('runs the stack, a one-shot provision job and every registered service from the Spine image', () => {
    const spine = spinePlatform.services;
    expect(Object.keys(committed.services).sort()).toEqual([...STACK, 'provision', ...spine.map((s) => s.name)].sort());

    const provision = committed.services.provision!;
    expect(provision.command).toEqual(['cli', 'provision']);
    expect(provision.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(provision.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, registry: { condition: 'service_healthy' } });

    for (const s of spine) {
      const c = committed.services[s.name]!;
      const variable = `SPINE_${s.name.toUpperCase().replaceAll('-', '_')}_PORT`;
      expect({ service: s.name, image: c.image, command: c.command, depends_on: c.depends_on, ports: c.ports, port: c.environment?.PORT }).toEqual({
        service: s.name,
        image: provision.image,
        command: [s.name],
        depends_on: { provision: { condition: 'service_completed_successfully' } },
        ports: [`127.0.0.1:\${${variable}:-${s.port}}:${s.port}`],
        port: String(s.port),
      });
      expect(c.healthcheck?.test).toEqual(['CMD', 'node', '/app/deploy/healthcheck.mjs']);
      expect(c.environment?.KAFKA_BROKERS).toBe('kafka:29092');
      expect('DATABASE_URL' in c.environment!).toBe(Boolean(s.database));
      // API keys only from the host's environment, never a value in the file.
      expect(c.environment?.SPINE_API_KEYS).toBe(s.api ? '${SPINE_API_KEYS:-}' : undefined);
    }
  });

  it('is generated from the registry it is given: a new service appears with its port, database and API settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spine-compose-'));
    try {
      const registry = { services: [{ name: 'churn-scoring', description: 'Churn scoring', port: 3017, database: 'yes', api: 'GET /v1/churn', stages: ['churn'] }] };
      writeFileSync(join(dir, 'registry.json'), JSON.stringify(registry));
      const out = await generator('--stdout', '--registry', join(dir, 'registry.json'));
      expect(out.code).toBe(0);
      const generated = parse(out.stdout) as Compose;
      expect(Object.keys(generated.services).sort()).toEqual([...STACK, 'churn-scoring', 'provision'].sort());
      const churn = generated.services['churn-scoring']!;
      expect(churn.ports).toEqual(['127.0.0.1:${SPINE_CHURN_SCORING_PORT:-3017}:3017']);
      expect(churn.environment).toMatchObject({ PORT: '3017', SPINE_API_KEYS: '${SPINE_API_KEYS:-}', DATABASE_URL: expect.stringContaining('@postgres:5432/') });
      expect(out.stdout).toContain('# Churn scoring (stages: churn); port 3017.');

      writeFileSync(join(dir, 'clash.json'), JSON.stringify({ services: [{ name: 'kafka', port: 3999, stages: [] }] }));
      const clash = await generator('--stdout', '--registry', join(dir, 'clash.json'));
      expect({ code: clash.code, stderr: clash.stderr.trim() }).toEqual({ code: 1, stderr: 'tools/compose/generate.mjs: tools/compose/stack.yml already has a service "kafka"' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is accepted by a real compose implementation (podman-compose config), which lists every registered service', async () => {
    const key = `test-key-${Date.now()}-0123456789`;
    const env = { SPINE_API_KEYS: key, SPINE_INGESTION_PORT: '13000', SPINE_TOPIC_PREFIX: '' };
    const listed = (await podmanCompose(['config', '--services'], env)).trim().split('\n').sort();
    expect(listed).toEqual([...STACK, 'provision', ...spinePlatform.services.map((s) => s.name)].sort());

    const config = parse(await podmanCompose(['config'], env)) as Compose;
    const ingestion = config.services.ingestion!;
    expect(ingestion.environment?.SPINE_API_KEYS).toBe(key); // taken from the host's environment
    expect(ingestion.ports).toEqual(['127.0.0.1:13000:3000']); // SPINE_INGESTION_PORT moves the host port only
    for (const s of spinePlatform.services) {
      expect({ service: s.name, depends_on: config.services[s.name]?.depends_on }).toEqual({
        service: s.name,
        depends_on: { provision: { condition: 'service_completed_successfully' } },
      });
    }
  }, 300_000);
});
