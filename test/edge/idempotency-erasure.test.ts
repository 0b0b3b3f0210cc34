import { randomUUID } from 'node:crypto';
import { AiResultStore } from '@spine/ai-result-store';
import { CardActivityStore } from '@spine/card-activity-store';
import { Pipeline } from '../harness/pipeline.js';
import { bearer, call, createKey, highWatermarks, postJson, runCli, supportMessage } from './support/edge.js';

// Idempotency keys and GDPR erasure on the real pipeline (ingestion → enrichment → inference → sink), on the
// shared stack under a topic prefix and database schema of its own.
describe('Idempotency-Key on POST /v1/events, and erasure', () => {
  const pipeline = new Pipeline('edge-idem', {}, ['ingestion', 'enrichment', 'inference', 'sink']);
  let writer: { key: string };
  let otherWriter: { key: string };
  let admin: { id: string; key: string };
  const events = () => `${pipeline.service('ingestion').url}/v1/events`;
  const inputTopic = () => [pipeline.fx.topology.topics.supportMessages.name];
  const count = async (sql: string, params: unknown[]) => Number((await pipeline.pool.query<{ n: string }>(sql.replaceAll('$schema', `"${pipeline.dbSchema}"`), params)).rows[0]!.n);

  beforeAll(async () => {
    await pipeline.start();
    writer = await createKey(pipeline.pool, pipeline.dbSchema, ['events:write']);
    otherWriter = await createKey(pipeline.pool, pipeline.dbSchema, ['events:write']);
    admin = await createKey(pipeline.pool, pipeline.dbSchema, ['admin'], 'dpo-console');
  }, 180_000);
  afterAll(async () => pipeline.stop(), 60_000);

  it('three identical POSTs with one key: one record on the topic, one result, three identical answers', async () => {
    const headers = { ...bearer(writer.key), 'idempotency-key': randomUUID() };
    const event = supportMessage('c-idem-1');
    const before = await highWatermarks(pipeline.fx.admin, inputTopic());
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await postJson(events(), event, headers));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers[1]!.json).toEqual(answers[0]!.json);
    expect(answers[2]!.json).toEqual(answers[0]!.json);
    expect(answers.map((a) => a.headers.get('idempotent-replayed'))).toEqual([null, 'true', 'true']);
    expect(await highWatermarks(pipeline.fx.admin, inputTopic())).toBe(before + 1);
    const eventId = answers[0]!.json.accepted[0].eventId as string;
    expect(await pipeline.waitForResults([eventId])).toBe(1);
    expect(await count('SELECT count(*) AS n FROM $schema.ai_results WHERE entity_key = $1', ['c-idem-1'])).toBe(1);
    // Without a key, the same POST is a new event each time.
    await postJson(events(), event, bearer(writer.key));
    await postJson(events(), event, bearer(writer.key));
    expect(await highWatermarks(pipeline.fx.admin, inputTopic())).toBe(before + 3);
  });

  it('refuses the same key with another body (422), lets concurrent duplicates share one answer, and scopes keys per credential', async () => {
    const key = randomUUID();
    const before = await highWatermarks(pipeline.fx.admin, inputTopic());
    const [first, second, third] = await Promise.all([0, 1, 2].map(() => postJson(events(), supportMessage('c-idem-2'), { ...bearer(writer.key), 'idempotency-key': key })));
    expect([first!.status, second!.status, third!.status]).toEqual([202, 202, 202]);
    expect(second!.json).toEqual(first!.json);
    expect(third!.json).toEqual(first!.json);
    expect(await highWatermarks(pipeline.fx.admin, inputTopic())).toBe(before + 1);

    const changed = await postJson(events(), supportMessage('c-idem-2', { body: 'another text' }), { ...bearer(writer.key), 'idempotency-key': key });
    expect(changed.status).toBe(422);
    expect(changed.json.message).toContain('different request body');
    // Key order and whitespace do not make a body different.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(supportMessage('c-idem-2')).reverse()), null, 2);
    expect((await postJson(events(), reordered, { ...bearer(writer.key), 'idempotency-key': key })).json).toEqual(first!.json);
    expect(await highWatermarks(pipeline.fx.admin, inputTopic())).toBe(before + 1);

    const elsewhere = await postJson(events(), supportMessage('c-idem-2'), { ...bearer(otherWriter.key), 'idempotency-key': key });
    expect(elsewhere.status).toBe(202);
    expect(elsewhere.json.accepted[0].eventId).not.toBe(first!.json.accepted[0].eventId);
    expect(await highWatermarks(pipeline.fx.admin, inputTopic())).toBe(before + 2);

    expect((await postJson(events(), supportMessage('c-idem-2'), { ...bearer(writer.key), 'idempotency-key': 'has spaces' })).status).toBe(400);
    expect((await postJson(events(), supportMessage('c-idem-2'), { ...bearer(writer.key), 'idempotency-key': 'k'.repeat(256) })).status).toBe(400);
    const { rows } = await pipeline.pool.query(`SELECT state, status, expires_at - created_at AS retention FROM "${pipeline.dbSchema}".idempotency_keys WHERE key = $1 ORDER BY principal`, [key]);
    expect(rows).toEqual([expect.objectContaining({ state: 'done', status: 202 }), expect.objectContaining({ state: 'done', status: 202 })]);
    expect(rows[0].retention.hours ?? rows[0].retention.days * 24).toBe(24);
  });

  it("DELETE /v1/customers/:id erases the customer from every store holding personal data, and audits it", async () => {
    const [x, y] = ['c-erase-x', 'c-erase-y'];
    const posted = await pipeline.postEvents([supportMessage(x), supportMessage(x, { body: 'second message' }), supportMessage(y)]);
    expect(await pipeline.waitForResults(posted.map((p) => p.eventId))).toBe(3);
    // The payments domain's stores, filled as its stages would (they declare themselves when they migrate).
    const cards = new CardActivityStore(pipeline.pool, { schema: pipeline.dbSchema });
    await cards.migrate();
    for (const [customerId, cardId] of [[x, 'card-x'], [y, 'card-y']] as const) {
      await cards.recordAndRead({ eventId: randomUUID(), cardId, customerId, merchantId: 'm-1', country: 'LT', amount: '12.50', occurredAt: new Date() });
    }
    const results = new AiResultStore(pipeline.pool, { schema: pipeline.dbSchema });
    const fraudEventId = randomUUID();
    const fraud = (eventId: string, customerId: string, cardId: string) => ({
      eventId, resultTopic: 'spine.ai.fraud-score.v1', entityKey: cardId, correlationId: eventId, modelName: 'fraud-lr', modelVersion: '1.0.0',
      occurredAt: new Date(), receivedAt: new Date(), result: { customerId, cardId, score: 0.2 },
    });
    await results.saveAll([fraud(fraudEventId, x, 'card-x'), fraud(randomUUID(), y, 'card-y')]);

    const rowsOf = async (customerId: string) => ({
      resultsByKey: await count('SELECT count(*) AS n FROM $schema.ai_results WHERE entity_key = $1', [customerId]),
      resultsByField: await count("SELECT count(*) AS n FROM $schema.ai_results WHERE result->>'customerId' = $1", [customerId]),
      featureEvents: await count('SELECT count(*) AS n FROM $schema.feature_events WHERE customer_id = $1', [customerId]),
      features: await count('SELECT count(*) AS n FROM $schema.customer_features WHERE customer_id = $1', [customerId]),
      cardPayments: await count('SELECT count(*) AS n FROM $schema.card_payments WHERE customer_id = $1', [customerId]),
    });
    expect(await rowsOf(x)).toEqual({ resultsByKey: 2, resultsByField: 3, featureEvents: 2, features: 1, cardPayments: 1 });
    const yBefore = await rowsOf(y);

    const sink = pipeline.service('sink').url;
    expect((await call(`${sink}/v1/customers/${x}`, { method: 'DELETE', headers: bearer(writer.key) })).status).toBe(403);
    const erased = await call(`${sink}/v1/customers/${x}`, { method: 'DELETE', headers: bearer(admin.key) });
    expect(erased.status).toBe(200);
    expect(erased.json.rows).toBe(2 + 1 + 2 + 1 + 1);
    expect(erased.json.tables).toEqual(
      expect.arrayContaining([
        { store: 'ai-result-store:ai_results', table: 'ai_results', rows: 3 },
        { store: 'feature-store', table: 'feature_events', rows: 2 },
        { store: 'feature-store', table: 'customer_features', rows: 1 },
        { store: 'card-activity-store:card_payments', table: 'card_payments', rows: 1 },
      ]),
    );
    const supportTopic = erased.json.kafka.find((k: { topic: string }) => k.topic === pipeline.fx.topology.topics.supportMessages.name);
    expect(supportTopic).toEqual(expect.objectContaining({ cleanupPolicy: 'delete', agesOutBy: expect.any(String) }));
    expect(Date.parse(supportTopic.agesOutBy) - Date.parse(erased.json.erasedAt)).toBe(7 * 86_400_000);
    expect(await rowsOf(x)).toEqual({ resultsByKey: 0, resultsByField: 0, featureEvents: 0, features: 0, cardPayments: 0 });
    expect(await rowsOf(y)).toEqual(yBefore);
    expect((await call(`${sink}/v1/results/${posted[0]!.eventId}`, { headers: bearer(pipeline.apiKey) })).status).toBe(404);

    // The CLI erases the same way, and both are in the audit log: who, what, when.
    const cliEnv = { SPINE_DB_SCHEMA: pipeline.dbSchema, SPINE_TOPIC_PREFIX: pipeline.fx.prefix, SPINE_ACTOR: 'dpo@edge-test' };
    const cli = await runCli(['erase', '--customer', y, '--json'], cliEnv);
    expect(cli.code).toBe(0);
    // Every result row of y names y in its result (some also by key): the distinct rows are those by field.
    expect(JSON.parse(cli.stdout).rows).toBe(yBefore.resultsByField + yBefore.featureEvents + yBefore.features + yBefore.cardPayments);
    expect(await rowsOf(y)).toEqual({ resultsByKey: 0, resultsByField: 0, featureEvents: 0, features: 0, cardPayments: 0 });
    const audit = JSON.parse((await runCli(['audit', '--json', '--action', 'customer.erase'], cliEnv)).stdout) as Array<Record<string, any>>;
    expect(audit).toEqual([
      expect.objectContaining({ action: 'customer.erase', target: y, actor: 'operator dpo@edge-test', service: 'spine-cli' }),
      expect.objectContaining({ action: 'customer.erase', target: x, actor: `api-key ${admin.id} (dpo-console)`, service: 'sink', details: expect.objectContaining({ rows: 7 }) }),
    ]);
    expect(Date.parse(audit[1]!.at)).toBe(Date.parse(erased.json.erasedAt));
  });
});
