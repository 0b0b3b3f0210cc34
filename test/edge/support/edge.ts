import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type pg from 'pg';
import { ApiKeyStore, type Scope } from '@spine/edge';
import { ServiceProcess } from '../../harness/service-process.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** A service process whose start waits for `path` (default /health/live) instead of readiness: it may start before Kafka. */
export class EdgeProcess extends ServiceProcess {
  constructor(
    service: string,
    port: number,
    env: Record<string, string>,
    label: string,
    private readonly waitFor: { url?: string; path?: string } = {},
  ) {
    super(service, port, env, label);
  }

  override async waitReady(timeoutMs = 60_000): Promise<void> {
    const url = this.waitFor.url ?? `${this.url}${this.waitFor.path ?? '/health/live'}`;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await fetch(url).then((r) => r.ok, () => false)) return;
      await sleep(200);
    }
    throw new Error(`${this.label}: ${url} not OK within ${timeoutMs} ms; see ${this.logFile}`);
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
  ms: number;
}

/** One HTTP request with its timing; the body as JSON when it parses. */
export async function call(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(30_000) });
  const text = await response.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, ms };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A stored API key with these scopes, as `spine-cli keys create` makes it. */
export async function createKey(pool: pg.Pool, schema: string, scopes: Scope[], name = `test-${scopes.join('-').replaceAll(':', '_')}`): Promise<{ id: string; key: string }> {
  const store = new ApiKeyStore(pool, { schema });
  await store.migrate();
  const { key, info } = await store.create({ name, scopes, actor: 'test' });
  return { id: info.id, key };
}

/** Sum of the high watermarks of these topics: unchanged means nothing was written to any of them. */
export async function highWatermarks(admin: Admin, topics: readonly string[]): Promise<number> {
  let sum = 0;
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) sum += Number(p.high);
  return sum;
}

/** Runs the built CLI (apps/cli/dist/main.js) with extra environment; never throws on a non-zero exit. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'apps', 'cli', 'dist', 'main.js'), ...args], { env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A valid support message (202 when posted with events:write). */
export function supportMessage(customerId: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'support.message', source: 'edge-test', customerId, channel: 'EMAIL', subject: 'Order', body: `I was charged twice, please help (${customerId})`, orderAmount: '19.99', ...more };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
