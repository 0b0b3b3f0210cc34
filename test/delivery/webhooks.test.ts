import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { supportTriage, payments } from '@spine/platform';
import { Pipeline } from '../harness/pipeline.js';
import { Receiver, type Received } from './receiver.js';
import { fraudScore, produceFraud, produceTriage, triageResult } from './results.js';

const TRIAGE = supportTriage.topics.triageResults.name;
const FRAUD = payments.topics.fraudScores.name;
// Retries shortened from hours to ~16 s (jitter ±20 %): a 10 s outage is ridden out, a dead receiver is dead-lettered.
const SCHEDULE = '250ms,500ms,1s,2s,4s,8s';
const OUTAGE_MS = 10_000;

/** The webhooks service on its own topics and schema; results are produced straight to the result topics. */
describe('webhook delivery of AI results (real Kafka, PostgreSQL, service process, receivers)', () => {
  const pipeline = new Pipeline('wh', {
    webhooks: {
      SPINE_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.1/32', // the test's receivers; every other private range stays refused
      SPINE_WEBHOOKS_RETRY_SCHEDULE: SCHEDULE,
      SPINE_WEBHOOKS_TIMEOUT: '2s',
      SPINE_WEBHOOKS_POLL: '100ms',
      SPINE_WEBHOOKS_SECRET_KEY: randomBytes(24).toString('base64url'),
    },
  }, ['webhooks']);
  const receivers: Receiver[] = [];
  const receiver = async (respond?: ConstructorParameters<typeof Receiver>[0]) => {
    const r = await new Receiver(respond).start();
    receivers.push(r);
    return r;
  };
  const api = async (method: string, path: string, body?: unknown, key: string | null = pipeline.apiKey) => {
    const response = await fetch(`${pipeline.service('webhooks').url}/v1/webhooks/subscriptions${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const subscribe = async (body: Record<string, unknown>) => {
    const created = await api('POST', '', body);
    if (created.status !== 201) throw new Error(`subscription refused (${created.status}): ${JSON.stringify(created.body)}`);
    return created.body as { id: string; secret: string; url: string };
  };
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'apps', 'cli', 'dist', 'main.js'), 'webhooks', ...args], {
      env: { ...process.env, SPINE_WEBHOOKS_URL: pipeline.service('webhooks').url, SPINE_API_KEY: pipeline.apiKey, SPINE_API_KEYS: '' },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`spine-cli webhooks ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    return JSON.parse(run.stdout || 'null');
  };
  const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await pipeline.start();
  });

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await pipeline.stop();
  });

  it('delivers every matching result once, signed (Standard Webhooks), and a tampered body fails verification', async () => {
    const customers = [unique('c'), unique('c'), unique('c')];
    const cards = [unique('card'), unique('card')];
    const all = await receiver();
    const declines = await receiver();
    const allSub = await subscribe({ url: all.url, filter: { entityKeys: [...customers, ...cards] } });
    const declineSub = await subscribe({ url: declines.url, topics: [FRAUD], filter: { entityKeys: cards, fields: { decision: 'DECLINE' } } });

    const triage = Array.from({ length: 9 }, (_, i) => triageResult(customers[i % 3]!, { n: i, priority: i % 2 ? 'P1' : 'P3' }));
    const scores = [fraudScore(cards[0]!, 'APPROVE'), fraudScore(cards[0]!, 'DECLINE'), fraudScore(cards[1]!, 'DECLINE'), fraudScore(cards[1]!, 'REVIEW')];
    await produceTriage(pipeline.fx, triage);
    await produceFraud(pipeline.fx, scores);

    const got = await all.waitFor((a) => a.length >= 13, 30_000, '13 deliveries');
    await declines.waitFor((a) => a.length >= 2, 10_000, '2 DECLINE deliveries');
    await sleep(1_000); // anything extra (a duplicate) would arrive by now
    expect(all.requests).toHaveLength(13);
    expect(new Set(got.map((r) => r.id)).size).toBe(13);
    expect(got.map((r) => r.body.eventId).sort()).toEqual([...triage, ...scores].map((r) => r.metadata.eventId).sort());
    expect(declines.requests.map((r) => r.body.eventId).sort()).toEqual([scores[1]!, scores[2]!].map((r) => r.metadata.eventId).sort());

    // Signatures verify with the subscription's secret, as the README documents; any tampering fails.
    const wh = new Webhook(allSub.secret);
    const headers = (r: Received) => ({ 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature });
    for (const r of got) expect(wh.verify(r.rawBody, headers(r))).toEqual(r.body);
    const sample = got[0]!;
    expect(() => wh.verify(sample.rawBody.replace(sample.body.eventId, randomUUID()), headers(sample))).toThrow(WebhookVerificationError);
    expect(() => new Webhook(declineSub.secret).verify(sample.rawBody, headers(sample))).toThrow(WebhookVerificationError);

    // The body: type, declared result topic, event id, entity key, and the result as JSON (as the sink stores it).
    const oneTriage = got.find((r) => r.body.eventId === triage[1]!.metadata.eventId)!.body;
    expect(oneTriage).toMatchObject({ type: 'ai.result', resultTopic: TRIAGE, entityKey: customers[1], result: { customerId: customers[1], priority: 'P1', inferredAt: triage[1]!.inferredAt.toISOString(), model: { name: 'support-triage' } } });
    const oneScore = got.find((r) => r.body.eventId === scores[1]!.metadata.eventId)!.body;
    expect(oneScore).toMatchObject({ resultTopic: FRAUD, entityKey: cards[0], result: { decision: 'DECLINE', amount: '1299.00' } });

    // The API never lists a secret; metrics count the deliveries per subscription.
    const listed = await api('GET', '');
    expect(listed.body.subscriptions.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([allSub.id, declineSub.id]));
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    expect((await api('GET', `/${allSub.id}`)).body).not.toHaveProperty('secret');
    const ok = await pipeline.service('webhooks').metric(`spine_webhook_deliveries_total{subscription="${allSub.id}",outcome="ok"}`);
    expect(ok).toBe(13);
    expect(await api('GET', '', undefined, null)).toMatchObject({ status: 401 });
  });

  it('rides out a receiver that answers 500 for a while: everything arrives afterwards in per-entity order, and a healthy receiver is not delayed', async () => {
    const entities = [unique('e'), unique('e'), unique('e'), unique('e')];
    const outageEnds = Date.now() + OUTAGE_MS;
    const flaky = await receiver(() => (Date.now() < outageEnds ? 500 : 200));
    const healthy = await receiver();
    await subscribe({ url: flaky.url, topics: [TRIAGE], filter: { entityKeys: entities } });
    await subscribe({ url: healthy.url, topics: [TRIAGE], filter: { entityKeys: entities } });

    // Results keep coming during the outage: 4 entities x 6, a batch every 1.2 s.
    const produced: string[][] = entities.map(() => []);
    const ackedAt = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      const batch = entities.map((e) => triageResult(e, { n: round }));
      batch.forEach((r, i) => produced[i]!.push(r.metadata.eventId));
      for (const [id, t] of await produceTriage(pipeline.fx, batch)) ackedAt.set(id, t);
      await sleep(1_200);
    }
    // The healthy receiver got everything while the other was failing, each within moments of being produced.
    const healthyGot = await healthy.waitFor((a) => a.length >= 24, 10_000, 'all 24 results at the healthy receiver');
    expect(healthyGot.filter((r) => r.receivedAt < outageEnds)).toHaveLength(24); // all of it during the outage
    const latencies = healthyGot.map((r) => r.receivedAt - ackedAt.get(r.body.eventId)!).sort((a, b) => a - b);
    process.stderr.write(`[webhooks] healthy receiver during the other's outage: delivery latency p50 ${latencies[12]} ms, max ${latencies.at(-1)} ms (24 results)\n`);
    expect(latencies.at(-1)!).toBeLessThan(2_000);
    expect(flaky.requests.filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(4); // it really failed, per entity head

    // After the outage the flaky receiver gets all 24, once each, in order per entity.
    const flakyGot = await flaky.waitFor((a) => a.length >= 24, 25_000, 'all 24 results after the outage');
    await sleep(500);
    expect(flaky.accepted).toHaveLength(24);
    expect(flakyGot.every((r) => r.receivedAt >= outageEnds)).toBe(true);
    entities.forEach((entity, i) => {
      expect(flakyGot.filter((r) => r.body.entityKey === entity).map((r) => r.body.eventId)).toEqual(produced[i]);
    });
    // Retries reuse the delivery's id: each webhook-id that failed was later accepted, with the same body.
    const failedIds = new Set(flaky.requests.filter((r) => r.status === 500).map((r) => r.id));
    for (const id of failedIds) expect(flakyGot.some((r) => r.id === id)).toBe(true);
    // While an entity's head was failing, nothing behind it was attempted: at most one request per entity at a time.
    const attemptedBeforeRecovery = flaky.requests.filter((r) => r.receivedAt < outageEnds);
    expect(new Set(attemptedBeforeRecovery.map((r) => r.body.eventId)).size).toBeLessThanOrEqual(entities.length);
  });

  it('dead-letters the deliveries of a receiver gone for good, and `spine-cli webhooks redrive` delivers them once it is back', async () => {
    const entities = [unique('d'), unique('d'), unique('d')];
    const gone = await receiver();
    const port = gone.port;
    const created = cli('create', '--url', gone.url, '--topics', TRIAGE, '--entity', entities.join(','), '--description', 'dead receiver test');
    expect(created).toMatchObject({ url: gone.url, topics: [TRIAGE], filter: { entityKeys: entities }, secret: expect.stringMatching(/^whsec_/) });
    await gone.stop(); // connection refused from now on
    const results = entities.map((e) => triageResult(e));
    await produceTriage(pipeline.fx, results);

    // Every attempt of the shortened schedule fails (~16 s), then each delivery is a dead letter with its cause.
    const deadline = Date.now() + 40_000;
    let letters: Array<{ deliveryId: string; eventId: string; attempts: number; lastStatus: number | null; lastError: string }> = [];
    while (Date.now() < deadline && letters.length < 3) {
      await sleep(1_000);
      letters = cli('dead-letters', created.id).deadLetters;
    }
    expect(letters.map((l) => l.eventId).sort()).toEqual(results.map((r) => r.metadata.eventId).sort());
    for (const l of letters) expect(l).toMatchObject({ attempts: SCHEDULE.split(',').length + 1, lastStatus: null, lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect(await pipeline.service('webhooks').metric(`spine_webhook_dead_letters{subscription="${created.id}"}`)).toBe(3);

    // Back on the same address: redrive delivers each dead letter with the id it had all along.
    const back = await new Receiver().start(port);
    receivers.push(back);
    expect(cli('redrive', created.id)).toEqual({ redriven: 3 });
    const got = await back.waitFor((a) => a.length >= 3, 10_000, '3 redriven deliveries');
    expect(got.map((r) => r.id).sort()).toEqual(letters.map((l) => l.deliveryId).sort());
    expect(new Webhook(created.secret).verify(got[0]!.rawBody, { 'webhook-id': got[0]!.id, 'webhook-timestamp': got[0]!.timestamp, 'webhook-signature': got[0]!.signature })).toEqual(got[0]!.body);
    expect(cli('dead-letters', created.id).deadLetters).toEqual([]);

    // Listed without a secret, then deleted.
    const listed = cli('list').subscriptions.find((s: { id: string }) => s.id === created.id);
    expect(listed).toMatchObject({ id: created.id, description: 'dead receiver test' });
    expect(listed).not.toHaveProperty('secret');
    cli('delete', created.id);
    expect((await api('GET', `/${created.id}`)).status).toBe(404);
  });

  it('refuses target URLs that are not public http(s) without credentials, naming why', async () => {
    const refused: Array<[string, RegExp]> = [
      ['ftp://127.0.0.1/x', /only http and https/],
      ['http://user:secret@127.0.0.1:9/x', /credentials/],
      ['http://10.1.2.3/x', /10\.1\.2\.3 is a private address/],
      ['http://192.168.1.1/x', /private/],
      ['http://169.254.169.254/latest/meta-data', /link-local/],
      ['http://127.0.0.2:9/x', /loopback/], // only 127.0.0.1/32 is allowed in this test
      ['http://[::1]:9/x', /loopback/],
      ['http://[fd12::1]/x', /unique local/],
      ['not a url', /not an absolute URL/],
    ];
    for (const [url, reason] of refused) {
      const answer = await api('POST', '', { url });
      expect({ url, status: answer.status }).toEqual({ url, status: 400 });
      expect(answer.body.issues).toEqual([{ field: 'url', message: expect.stringMatching(reason) }]);
    }
    const bad = await api('POST', '', { url: 'http://127.0.0.1:9/x', topics: ['spine.crm.support-message.v1'], filter: { fields: { 'no spaces allowed': 'x' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['filter.fields.no spaces allowed', 'topics']);
    const allowed = await api('POST', '', { url: 'http://127.0.0.1:9/x', topics: [FRAUD], filter: { entityKeys: ['nobody'] } });
    expect(allowed.status).toBe(201); // the allowed range
    expect((await api('DELETE', `/${allowed.body.id}`)).status).toBe(204);
  });

  it('stops cleanly on SIGTERM, an attempt in flight finishing (and recorded) first', async () => {
    const slow = await receiver();
    slow.delayMs = 1_500;
    const entity = unique('term');
    const sub = await subscribe({ url: slow.url, topics: [TRIAGE], filter: { entityKeys: [entity] } });
    const result = triageResult(entity);
    await produceTriage(pipeline.fx, [result]);
    const deadline = Date.now() + 10_000;
    while (!slow.requests.length && Date.now() < deadline) await sleep(20);
    expect(slow.requests).toHaveLength(1); // arrived, not answered yet
    const outcome = await pipeline.service('webhooks').stop('SIGTERM');
    expect({ code: outcome.code, fast: outcome.ms < 10_000 }).toEqual({ code: 0, fast: true });
    const { rows } = await pipeline.pool.query(`SELECT status, attempts FROM "${pipeline.dbSchema}".webhook_deliveries WHERE event_id = $1 AND subscription_id = $2`, [result.metadata.eventId, sub.id]);
    expect(rows).toEqual([{ status: 'delivered', attempts: 1 }]);
  });
});
