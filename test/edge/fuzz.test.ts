import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { createKey, highWatermarks } from './support/edge.js';
import { malformedRequests, RAW_REQUESTS, type Malformed } from './support/malformed.js';

const COUNT = 5_000;
const SEED = Number(process.env.SPINE_FUZZ_SEED ?? 20_261_201);
const CONCURRENCY = 12;

// At least 5,000 malformed requests against a real ingestion process: every answer a 4xx, never a 5xx or a
// dropped connection, and not one record on any topic of the deployment.
describe('ingestion under malformed input', () => {
  const schema = uniqueSqlName('edge_fuzz');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  let fx: SpineFixture;
  let ingestion: ServiceProcess;

  beforeAll(async () => {
    fx = await provisionedFixture('edge-fuzz', 2);
    ingestion = await new ServiceProcess(
      'ingestion',
      await freePort(),
      { SPINE_TOPIC_PREFIX: fx.prefix, SPINE_DB_SCHEMA: schema, SPINE_API_KEYS: randomBytes(24).toString('base64url'), SPINE_RATE_LIMIT_PER_SECOND: '0' },
      'edge-fuzz-ingestion',
    ).start();
  }, 120_000);

  afterAll(async () => {
    await ingestion?.kill();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    await fx?.close();
  }, 60_000);

  it(`answers ${COUNT}+ malformed requests with 4xx only and publishes nothing`, async () => {
    const valid = (await createKey(pool, schema, ['events:write'])).key;
    const readOnly = (await createKey(pool, schema, ['results:read'])).key;
    const topics = fx.topology.all.map((t) => t.name);
    const before = await highWatermarks(fx.admin, topics);
    const requests = malformedRequests(COUNT, SEED, { valid, readOnly });

    const statuses = new Map<string, Map<number, number>>();
    const wrong: string[] = [];
    const record = (request: Pick<Malformed, 'kind'>, status: number, detail: string) => {
      const byKind = statuses.get(request.kind) ?? new Map<number, number>();
      byKind.set(status, (byKind.get(status) ?? 0) + 1);
      statuses.set(request.kind, byKind);
      if (status < 400 || status > 499) wrong.push(`${request.kind} → ${status}: ${detail.slice(0, 300)}`);
    };
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          const body = typeof request.body === 'function' ? request.body() : request.body;
          try {
            const response = await fetch(`${ingestion.url}${request.path ?? '/v1/events'}`, {
              method: request.method ?? 'POST',
              headers: request.headers,
              ...(body !== undefined && request.method !== 'GET' ? { body: body as RequestInit['body'], duplex: 'half' } : {}),
              signal: AbortSignal.timeout(30_000),
            } as RequestInit);
            const text = await response.text();
            record(request, response.status, `${JSON.stringify(request.headers)} ${String(typeof request.body === 'string' ? request.body : '<bytes>').slice(0, 120)} ⇒ ${text}`);
          } catch (error) {
            // A refused body may be cut off while still streaming; the server must still have answered, so
            // anything else (reset, timeout) is a failure.
            record(request, 0, `${(error as Error).message} ${(error as Error).cause ?? ''}`);
          }
        }
      }),
    );
    for (const raw of RAW_REQUESTS) record({ kind: 'raw HTTP' }, await rawStatus(ingestion.port, raw), JSON.stringify(raw));
    const seconds = (Date.now() - started) / 1000;

    const summary = Object.fromEntries([...statuses].map(([kind, byStatus]) => [kind, Object.fromEntries(byStatus)]));
    process.stderr.write(`[edge] fuzz: ${requests.length + RAW_REQUESTS.length} requests in ${seconds.toFixed(1)} s (seed ${SEED}): ${JSON.stringify(summary)}\n`);
    expect(wrong).toEqual([]);
    expect(requests.length + RAW_REQUESTS.length).toBeGreaterThanOrEqual(5_000);
    expect(await highWatermarks(fx.admin, topics)).toBe(before);
    // Still healthy afterwards.
    expect((await fetch(`${ingestion.url}/health/ready`)).status).toBe(200);
  });
});

/** Sends raw bytes and returns the status of the answer (0 when the connection closes without one). */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', () => undefined);
  });
}
