import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { supportTriage } from '@spine/platform';
import { TopicCodecs } from '@spine/runtime';
import { loadSchemaCatalog } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { provision } from '@spine/topology';
import { uniquePrefix, uniqueSqlName } from '../harness/ids.js';
import { freePort, SpawnedProcess, type ServiceProcess } from '../harness/service-process.js';
import { fixtureTopology, readRaw } from '../harness/spine-fixture.js';
import { PrivateKafka } from './support/private-kafka.js';
import { bearer, call, EdgeProcess, postJson, supportMessage, waitFor, type HttpAnswer } from './support/edge.js';


const BOUND_MS = 2_000;

// Fast failure against a broker of the test's own (killed, then frozen with SIGSTOP), with real ingestion and
// enrichment processes pointed at it; the shared stack is never touched (only its registry and PostgreSQL).
describe('ingestion when Kafka is unreachable or unresponsive', () => {
  const apiKey = randomBytes(24).toString('base64url');
  const prefix = uniquePrefix('edge-outage');
  const schema = uniqueSqlName('edge_outage');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  const topology = fixtureTopology(prefix, 2);
  const inputTopic = topology.topics.supportMessages.name;
  let kafka: PrivateKafka;
  let ingestion: EdgeProcess;
  let enrichment: SpawnedProcess;
  const accepted = new Set<string>(); // eventIds answered 202
  const refusedIds = new Set<string>(); // eventIds a 503 named
  const latencies: Record<string, number[]> = { 'not started': [], killed: [], frozen: [] };
  const recoveryMs: Record<string, number> = {}; // broker back (started / SIGCONT) → first 202

  const post = async (phase: string | undefined, customer = 'c-outage'): Promise<HttpAnswer> => {
    const answer = await postJson(`${ingestion.url}/v1/events`, supportMessage(customer), bearer(apiKey));
    if (answer.status === 202) for (const a of answer.json.accepted) accepted.add(a.eventId);
    if (answer.status === 503) {
      for (const id of answer.json.eventIds) refusedIds.add(id);
      if (phase) latencies[phase]!.push(answer.ms);
    }
    return answer;
  };
  const expectFastRefusal = (answer: HttpAnswer) => {
    expect({ status: answer.status, withinBound: answer.ms <= BOUND_MS }).toEqual({ status: 503, withinBound: true });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answer.json.eventIds).toHaveLength(1);
  };
  const ready = async (service: ServiceProcess) => (await call(`${service.url}/health/ready`).catch(() => undefined))?.status;
  const waitingLines = (service: ServiceProcess) => readFileSync(service.logFile, 'utf8').split('\n').filter((l) => l.includes('"waiting for Kafka"')).length;

  beforeAll(async () => {
    kafka = await PrivateKafka.create();
    await kafka.start();
    const admin = new Kafka({ clientId: 'edge-outage-provision', brokers: [kafka.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await provision(topology.all, { admin, registry: RegistryClient.fromEnv(), catalog: await loadSchemaCatalog() });
    await admin.disconnect();
    await kafka.kill(); // the services start while Kafka is down
    const env = { KAFKA_BROKERS: kafka.brokers, SPINE_TOPIC_PREFIX: prefix, SPINE_DB_SCHEMA: schema, SPINE_API_KEYS: apiKey, SPINE_RATE_LIMIT_PER_SECOND: '0', SPINE_SESSION_TIMEOUT_MS: '10000', SPINE_HEARTBEAT_INTERVAL_MS: '1000' };
    ingestion = await new EdgeProcess('ingestion', await freePort(), env, 'edge-outage-ingestion').start();
    enrichment = await new SpawnedProcess('enrichment', await freePort(), env, 'edge-outage-enrichment').start();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([ingestion?.kill(), enrichment?.kill()]);
    await kafka?.destroy();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    const summary = Object.fromEntries(Object.entries(latencies).map(([phase, ms]) => [phase, stats(ms)]));
    process.stderr.write(`[edge] 503 latency (ms) by outage kind: ${JSON.stringify(summary)}; broker back → first 202 (ms): ${JSON.stringify(recoveryMs)}\n`);
  }, 60_000);

  it('starts before Kafka is reachable: waits with visible retries, answers 503 fast, then serves with no restart', async () => {
    expect((await call(`${ingestion.url}/health/live`)).status).toBe(200);
    const notReady = await call(`${ingestion.url}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.json.broker.healthy).toBe(false);
    for (let i = 0; i < 3; i++) expectFastRefusal(await post('not started'));
    await waitFor('both services to log retries', async () => (waitingLines(ingestion) >= 2 && waitingLines(enrichment) >= 2 ? true : undefined), 30_000);
    expect(enrichment.pid).toBeDefined();
    // The stage service listens while its stage waits: alive (Kubernetes' startup probe passes), not ready, and
    // its readiness says what the stage waits for.
    await waitFor('enrichment to listen', async () => ((await call(`${enrichment.url}/health/live`).catch(() => undefined))?.status === 200 ? true : undefined), 30_000);
    const stageNotReady = await call(`${enrichment.url}/health/ready`);
    expect(stageNotReady.status).toBe(503);
    expect(stageNotReady.json.stages).toEqual([expect.objectContaining({ stage: 'enrichment', joined: false, starting: 'waiting for Kafka', crashed: null })]);

    const pids = [ingestion.pid, enrichment.pid];
    await kafka.start();
    await waitFor('ingestion ready', async () => ((await ready(ingestion)) === 200 ? true : undefined), 60_000);
    await waitFor('enrichment ready', async () => ((await ready(enrichment)) === 200 ? true : undefined), 90_000);
    expect((await post(undefined)).status).toBe(202);
    expect([ingestion.pid, enrichment.pid]).toEqual(pids);
  });

  for (const outage of ['killed', 'frozen'] as const) {
    it(`broker ${outage}: 503 with Retry-After within ${BOUND_MS} ms, not ready; back: accepted again, same process`, async () => {
      const pid = ingestion.pid;
      for (let i = 0; i < 3; i++) expect((await post(undefined)).status).toBe(202);
      if (outage === 'killed') await kafka.kill();
      else kafka.freeze();
      const since = Date.now();
      // Sequential requests, then a concurrent burst: none may wait longer than the bound.
      while (Date.now() - since < 5_000) {
        expectFastRefusal(await post(outage));
        await sleep(250);
      }
      for (const answer of await Promise.all(Array.from({ length: 10 }, () => post(outage)))) expectFastRefusal(answer);
      expect(await ready(ingestion)).toBe(503);

      if (outage === 'killed') await kafka.start();
      else kafka.thaw();
      const backAt = Date.now();
      const back = await waitFor('a 202 after the broker is back', async () => {
        const answer = await post(undefined);
        expect(answer.ms).toBeLessThanOrEqual(BOUND_MS); // recovering: still never a hang
        return answer.status === 202 ? answer : undefined;
      }, 90_000, 500);
      expect(back.json.accepted).toHaveLength(1);
      recoveryMs[outage] = Date.now() - backAt;
      await waitFor('readiness again', async () => ((await ready(ingestion)) === 200 ? true : undefined), 30_000);
      expect(ingestion.pid).toBe(pid);
    });
  }

  it('lost nothing that got a 202; every record on the topic carries an eventId a 202 or a 503 named', async () => {
    const reader = new Kafka({ clientId: 'edge-outage-reader', brokers: [kafka.brokers], logLevel: logLevel.NOTHING });
    const admin = reader.admin();
    await admin.connect();
    const total = (await admin.fetchTopicOffsets(inputTopic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    await admin.disconnect();
    const registry = RegistryClient.fromEnv();
    const codecs = new TopicCodecs(topology.deployment, await loadSchemaCatalog(), registry, new AvroSerde(registry));
    const codec = await codecs.resolve(supportTriage.topics.supportMessages);
    const onTopic = new Set<string>();
    for (const record of await readRaw(reader, inputTopic, total, 60_000)) {
      onTopic.add((await codec.decodeValue<{ metadata: { eventId: string } }>(record.value)).metadata.eventId);
    }
    expect(accepted.size).toBeGreaterThanOrEqual(8);
    expect([...accepted].filter((id) => !onTopic.has(id))).toEqual([]);
    expect([...onTopic].filter((id) => !accepted.has(id) && !refusedIds.has(id))).toEqual([]);
  });
});

function stats(values: number[]): { n: number; min: number; p50: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { n: sorted.length, min: at(0), p50: at(0.5), max: at(1) };
}
