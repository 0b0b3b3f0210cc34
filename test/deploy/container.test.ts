import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { spinePlatform } from '@spine/platform';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { containersScript, containersUnavailable, logDir, podman, ServiceContainer, sweepOrphans } from './container-runtime.js';

const IMAGE = process.env.SPINE_IMAGE ?? 'spine:dev';
const unavailable = containersUnavailable();
if (unavailable) console.warn(`[container.test] skipped: ${unavailable}`);
const describeContainers = unavailable ? describe.skip : describe;

/**
 * The image of ./Dockerfile, built by scripts/containers.sh (cached layers reused), runs every service of the stage
 * registry against the real stack: ready on /health/ready, as a non-root user, in production mode, without dev deps.
 */
describeContainers('the Spine image', () => {
  const figures: Record<string, unknown> = {};
  let fx: SpineFixture;
  const dbSchema = uniqueSqlName('container');
  const containers: ServiceContainer[] = [];

  beforeAll(async () => {
    // setup on its own so the figure of the build is the build's: a first run installs podman and makes the base image.
    figures.setupMs = await containersScript(['setup'], join(logDir, 'container-setup.log'), 600_000);
    figures.buildMs = await containersScript(['build'], join(logDir, 'container-build.log'), 900_000);
    figures.imageBytes = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE])).trim());
    const orphans = await sweepOrphans();
    if (orphans.length) console.warn(`[container.test] removed containers of an earlier, killed run: ${orphans.join(', ')}`);
    fx = await provisionedFixture('container');
  }, 1_500_000);

  afterAll(async () => {
    await Promise.all(containers.map((c) => c.remove()));
    if (fx) {
      await fx.close();
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS "${dbSchema}" CASCADE`).catch(() => undefined);
      await pool.end();
    }
    writeFileSync(join(logDir, 'container-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`[container.test] figures: ${JSON.stringify(figures)}`);
  }, 120_000);

  it('is configured to run as a non-root user, in production mode, with a healthcheck on /health/ready', async () => {
    const [config] = JSON.parse(await podman(['image', 'inspect', IMAGE])) as Array<{
      Config: { User: string; Env: string[]; WorkingDir: string; Entrypoint: string[] };
      Healthcheck?: { Test: string[] };
    }>;
    expect(config!.Config.User).toMatch(/^[1-9]\d*(:\d+)?$/); // numeric, so Kubernetes can check runAsNonRoot
    expect(config!.Config.Env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'HOST=0.0.0.0']));
    expect(config!.Config.WorkingDir).toBe('/app');
    expect(config!.Healthcheck?.Test.join(' ')).toContain('healthcheck.mjs');
    // Production dependencies only: no package that the lockfile installs for development only (dev, or
    // devOptional such as typescript, an optional peer of @nestjs/swagger) is in the image's node_modules.
    const lock = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const devOnly = Object.keys(lock.packages).filter((path) => lock.packages[path]!.dev || lock.packages[path]!.devOptional);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/typescript', 'node_modules/jest', 'node_modules/@swc/core']));
    const present = await podman([
      'run', '--rm', '--network', 'none', '--ulimit', 'host', '--entrypoint', 'node', IMAGE, '-e',
      `const fs = require('fs'); const { packages } = require('/app/package-lock.json');
       const devOnly = Object.keys(packages).filter((p) => packages[p].dev || packages[p].devOptional);
       console.log(JSON.stringify({ devOnly: devOnly.length, present: devOnly.filter((p) => fs.existsSync('/app/' + p)) }))`,
    ]);
    expect(JSON.parse(present)).toEqual({ devOnly: devOnly.length, present: [] });
  });

  it('runs `node apps/<app>/dist/main.js` from /app directly (the layout the Helm chart relies on)', async () => {
    const out = await podman(['run', '--rm', '--network', 'none', '--ulimit', 'host', '--entrypoint', 'node', IMAGE, 'apps/cli/dist/main.js', 'registry', '--services']);
    const listed = out.trim().split('\n').map((line) => line.split(' ').slice(0, 2).join(' '));
    expect(listed).toEqual(spinePlatform.services.map((s) => `${s.name} ${s.port}`));

    // The entry point: the app named in SPINE_SERVICE gets the arguments; a name that is neither an app nor a
    // command is refused with the apps the image has.
    const viaEnv = await podman(['run', '--rm', '--network', 'none', '--ulimit', 'host', '--env', 'SPINE_SERVICE', IMAGE, 'registry', '--services'], { SPINE_SERVICE: 'cli' });
    expect(viaEnv).toBe(out);
    const refused = await podman(['run', '--rm', '--network', 'none', '--ulimit', 'host', IMAGE, 'no-such-service']).then(() => '', (error: Error) => error.message);
    expect(refused).toContain('"no-such-service" is neither a service nor a command');
    for (const s of spinePlatform.services) expect(refused).toMatch(new RegExp(`this image has: .*\\b${s.name}\\b`));
  });

  it('starts every registered service against the real stack (read-only root, no capabilities): ready, non-root, production, healthy, and stops cleanly on SIGTERM', async () => {
    const apiKey = randomBytes(24).toString('base64url');
    const env = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
      SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
      DATABASE_URL: process.env.DATABASE_URL!,
      SPINE_TOPIC_PREFIX: fx.prefix,
      SPINE_DB_SCHEMA: dbSchema,
      SPINE_API_KEYS: apiKey,
    };
    const label = fx.prefix.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '').toLowerCase();
    for (const service of spinePlatform.services) containers.push(new ServiceContainer(IMAGE, service.name, await freePort(), env, label));

    // All at once, as compose starts them: each figure is start-to-ready under that contention.
    await Promise.all(containers.map(async (c) => {
      await c.start();
      await c.waitReady();
    }));
    figures.runningMs = Object.fromEntries(containers.map((c) => [c.service, c.runningAfterMs]));
    figures.readyMs = Object.fromEntries(containers.map((c) => [c.service, c.readyAfterMs]));

    for (const c of containers) {
      const pid = await c.pid();
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const uids = /^Uid:\s+(.*)$/m.exec(status)![1]!.split(/\s+/).map(Number); // real, effective, saved, fs
      expect({ service: c.service, root: uids.some((uid) => uid === 0), uids: uids.length }).toEqual({ service: c.service, root: false, uids: 4 });
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('NODE_ENV=production');
      // The entry point exec'd node: the service itself is the container's main process and gets its signals.
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 2)).toEqual(['node', `apps/${c.service}/dist/main.js`]);
      // The image's HEALTHCHECK command says healthy too.
      await podman(['healthcheck', 'run', c.name]);
      expect((await podman(['inspect', '--format', '{{.State.Health.Status}}', c.name])).trim()).toBe('healthy');
    }

    const stopped = await Promise.all(containers.map(async (c) => ({ service: c.service, exitCode: await c.stop() })));
    expect(stopped).toEqual(containers.map((c) => ({ service: c.service, exitCode: 0 })));
  }, 300_000);
});
