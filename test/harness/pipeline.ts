import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { uniqueSqlName } from './ids.js';
import { OtlpCollector } from './otlp-collector.js';
import { ServiceProcess, freePort } from './service-process.js';
import { spinePlatform } from '@spine/platform';
import { provisionedFixture, type SpineFixture } from './spine-fixture.js';

/** A service of the stage registry. */
export type ServiceName = string;

/**
 * Every registered service (or the ones named) on their own topics, consumer groups and database schema,
 * exporting spans to a collector. Stage services start first, then those without stages (ingestion).
 */
export class Pipeline {
  readonly apiKey = randomBytes(24).toString('base64url');
  readonly services = new Map<string, ServiceProcess>();
  readonly collector = new OtlpCollector();
  readonly pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3 });
  fx!: SpineFixture;
  readonly dbSchema = uniqueSqlName('e2e');

  constructor(
    private readonly label: string,
    private readonly overrides: Partial<Record<ServiceName, Record<string, string>>> = {},
    private readonly only: readonly ServiceName[] = spinePlatform.services.map((s) => s.name),
  ) {
    for (const name of only) spinePlatform.service(name); // refuses an unknown name, listing the registered ones
  }

  env(service: ServiceName, extra: Record<string, string> = {}): Record<string, string> {
    return {
      SPINE_TOPIC_PREFIX: this.fx.prefix,
      SPINE_DB_SCHEMA: this.dbSchema,
      SPINE_API_KEYS: this.apiKey,
      OTEL_EXPORTER_OTLP_ENDPOINT: this.collector.endpoint,
      SPINE_SESSION_TIMEOUT_MS: '10000',
      SPINE_HEARTBEAT_INTERVAL_MS: '1000',
      // The pipeline is the subject here, not ingestion's 1 s answer deadline (test/edge/broker-outage.test.ts has
      // that): on a loaded 2-core CI machine an acks=all publish took longer once, and the test saw a 503.
      SPINE_PUBLISH_TIMEOUT_MS: '5000',
      ...(this.overrides[service] ?? {}),
      ...extra,
    };
  }

  async start(): Promise<this> {
    await this.collector.start();
    this.fx = await provisionedFixture(this.label, 4);
    // Sequential starts: each migrates its own tables; the stack has 2 cores. Consumers first, so nothing waits on a group join.
    const order = [...this.only].sort((a, b) => Number(spinePlatform.stagesOf(b).length > 0) - Number(spinePlatform.stagesOf(a).length > 0));
    for (const service of order) await this.startService(service);
    return this;
  }

  async startService(service: ServiceName, label: string = service, extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const existing = this.services.get(label);
    const port = existing?.port ?? (await freePort());
    const process = await new ServiceProcess(service, port, this.env(service, extra), label).start();
    this.services.set(label, process);
    return process;
  }

  service(label: string): ServiceProcess {
    const s = this.services.get(label);
    if (!s) throw new Error(`no service ${label}`);
    return s;
  }

  /** Posts events through the real HTTP API; returns their event ids (202 means the broker acknowledged them). */
  async post(count: number, options: { customers?: number; bodyPrefix?: string } = {}): Promise<string[]> {
    const events = Array.from({ length: count }, (_, i) => ({
      type: 'support.message',
      source: 'e2e',
      customerId: `cust-${i % (options.customers ?? 7)}`,
      channel: 'EMAIL',
      subject: 'Order problem',
      body: `${options.bodyPrefix ?? ''}My package never arrived and nobody answers, order #${i}. I want my money back!`,
      orderAmount: `${10 + i}.99`,
      eventId: randomUUID(),
    }));
    const response = await fetch(`${this.service('ingestion').url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ events }),
    });
    if (response.status !== 202) throw new Error(`ingestion answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { accepted: Array<{ eventId: string }> };
    return body.accepted.map((a) => a.eventId);
  }

  /** Posts any events (one request); returns the accepted entries (202 means the broker acknowledged them). */
  async postEvents(events: readonly Record<string, unknown>[]): Promise<Array<{ eventId: string; topic: string; partition: number; offset: string }>> {
    const response = await fetch(`${this.service('ingestion').url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ events }),
    });
    if (response.status !== 202) throw new Error(`ingestion answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { accepted: Array<{ eventId: string; topic: string; partition: number; offset: string }> }).accepted;
  }

  /** Result rows per event id for the given ids (duplicates would show as counts > 1 if the key allowed them). */
  async resultCount(eventIds: readonly string[]): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${this.dbSchema}".ai_results WHERE event_id = ANY($1::uuid[])`, [eventIds]);
    return Number(rows[0]!.n);
  }

  async waitForResults(eventIds: readonly string[], timeoutMs = 90_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let count = 0;
    while (Date.now() < deadline) {
      count = await this.resultCount(eventIds).catch(() => 0);
      if (count >= eventIds.length) return count;
      await sleep(500);
    }
    return count;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.kill()));
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.dbSchema}" CASCADE`).catch(() => undefined);
    await this.pool.end();
    await this.fx?.close();
    await this.collector.stop();
  }
}
