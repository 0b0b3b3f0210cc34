// Spine services as the bench starts them: real processes of the built apps (apps/<service>/dist/main.js) on a
// bench prefix, their own PostgreSQL schema and API key, a free port each — or the ones `./spine up` runs.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { spinePlatform } from '@spine/platform';
import { STATE_DIR, readApiKey } from '../lib/local-platform.mjs';
import { Child, freePort } from './children.mjs';
import { BenchError, ROOT, log, quoteIdent } from './common.mjs';
import { procStat } from './proc.mjs';

/** The support pipeline, consumers first (nothing waits on a group join), ingestion last. */
export const PIPELINE = ['sink', 'inference', 'enrichment', 'ingestion'];

export function serviceScript(service) {
  const script = join('apps', service, 'dist', 'main.js');
  if (!existsSync(join(ROOT, script))) throw new BenchError(`${script} is missing: build first (./spine bench builds; or npx tsc -b tsconfig.json)`);
  return script;
}

/** Starts one Spine service on `prefix` (env extra: fetch tuning, ...) and waits until it is ready. */
export async function startService(service, { prefix, dbSchema, apiKey, env = {}, cleanup, label = service, wait = true }) {
  spinePlatform.service(service); // refuses an unknown name, listing the registered ones
  const port = await freePort();
  const child = new Child(
    label,
    serviceScript(service),
    { SPINE_TOPIC_PREFIX: prefix, SPINE_DB_SCHEMA: dbSchema, SPINE_API_KEYS: apiKey, ...env },
    cleanup,
    { prefix, port },
  ).start();
  if (wait) await child.waitReady();
  return child;
}

/**
 * A whole support pipeline on its own prefix and PostgreSQL schema (the topics must be provisioned first):
 * sink, inference, enrichment, ingestion. `env` goes to every service (e.g. fetch settings).
 */
export class OwnPipeline {
  apiKey = randomBytes(24).toString('base64url');
  services = new Map();

  constructor({ prefix, dbSchema, databaseUrl, cleanup }) {
    this.prefix = prefix;
    this.dbSchema = dbSchema;
    this.databaseUrl = databaseUrl;
    this.cleanup = cleanup;
    cleanup.add(`drop schema ${dbSchema}`, () => dropSchema(databaseUrl, dbSchema));
  }

  get kind() {
    return 'own';
  }

  async start(env = {}) {
    // The per-credential rate limit (default 100 requests/s) would refuse a benchmark's load: raised far above it,
    // so the limiter still runs on every request but never refuses one.
    env = { SPINE_RATE_LIMIT_PER_SECOND: '100000', ...env };
    for (const service of PIPELINE) {
      log(`starting ${service} on ${this.prefix} (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ') || 'default settings'})`);
      this.services.set(service, await startService(service, { prefix: this.prefix, dbSchema: this.dbSchema, apiKey: this.apiKey, env, cleanup: this.cleanup }));
    }
    return this;
  }

  async stop() {
    for (const service of [...PIPELINE].reverse()) {
      const child = this.services.get(service);
      if (child) await child.stopNow();
    }
    this.services.clear();
  }

  get ingestionUrl() {
    return this.services.get('ingestion').url;
  }

  /** Service name -> pid. */
  pids() {
    return Object.fromEntries([...this.services].map(([name, child]) => [name, child.pid]));
  }
}

/** The services `./spine up` started: pids from $SPINE_STATE_DIR/pids/<service>.pid, the state dir's API key. */
export class RunningPipeline {
  constructor(ingestionUrl) {
    this.ingestionUrl = ingestionUrl;
    this.apiKey = readApiKey(BenchError);
    this.dbSchema = process.env.SPINE_DB_SCHEMA?.trim() || 'spine';
  }

  get kind() {
    return 'running';
  }

  pids() {
    const out = {};
    for (const { name } of spinePlatform.services) {
      try {
        const pid = Number(readFileSync(join(STATE_DIR, 'pids', `${name}.pid`), 'utf8').trim());
        if (pid && procStat(pid)) out[name] = pid;
      } catch {
        /* not started by ./spine up */
      }
    }
    return out;
  }

  async start() {
    const pids = this.pids();
    const missing = PIPELINE.filter((s) => !pids[s]);
    if (missing.length) throw new BenchError(`${missing.join(', ')} not running from ${STATE_DIR}/pids: run ./spine up first (or use --pipeline own)`);
    return this;
  }

  async stop() {}
}

export async function dropSchema(databaseUrl, schema) {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end().catch(() => {});
  }
}
