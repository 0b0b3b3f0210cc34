import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { erasePersonalData, quoteIdentifier } from '@spine/postgres';
import { migrateWebhooks } from './migrate.js';
import { WEBHOOK_PERSONAL_DATA } from './providers.js';
import { Outbox, type ClaimedDelivery } from './outbox.js';
import { SecretBox } from './secret-box.js';
import { SubscriptionStore } from './subscription-store.js';

// Real PostgreSQL: ordering, leases and idempotency are the database's (SKIP LOCKED, ON CONFLICT), which a mock would only pretend.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is not set: start the stack with `bash scripts/stack.sh up` (then source /var/tmp/spine-root/stack.env)');

const schemaName = `t_wh_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
const schema = quoteIdentifier(schemaName, 'schema');
const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
const box = new SecretBox('outbox test passphrase');
const subscriptions = new SubscriptionStore(pool, schema, box);
const outbox = new Outbox(pool, schema);
const TRIAGE = 'spine.ai.support-triage.v1';
const FRAUD = 'spine.ai.fraud-score.v1';

const subscribe = (more: { topics?: string[]; entityKeys?: string[]; fields?: Record<string, string>; enabled?: boolean } = {}) =>
  subscriptions.create({ url: 'http://127.0.0.1:9/h', resultTopics: more.topics ?? [TRIAGE, FRAUD], filter: { entityKeys: more.entityKeys ?? [], fields: more.fields ?? {} }, description: null, enabled: more.enabled ?? true });
const entry = (entityKey: string, result: Record<string, unknown> = {}, resultTopic = TRIAGE) => ({ resultTopic, eventId: randomUUID(), entityKey, result: { priority: 'P3', ...result } });
const claimAll = (subscriptionId: string, limit = 100) => outbox.claim(subscriptionId, limit, randomUUID(), 60_000);

beforeAll(async () => {
  await Promise.all([migrateWebhooks(pool, schema), migrateWebhooks(pool, schema)]);
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

describe('Outbox', () => {
  it('queues a result for each enabled subscription it matches: topic, entity keys, field equalities on nested paths', async () => {
    const all = await subscribe();
    const fraudOnly = await subscribe({ topics: [FRAUD] });
    const vip = await subscribe({ entityKeys: ['vip-1', 'vip-2'] });
    const urgent = await subscribe({ fields: { priority: 'P1', 'metadata.source': 'crm' } });
    const off = await subscribe({ enabled: false });
    const queued = async (e: ReturnType<typeof entry>) => new Set(await outbox.enqueue(e));
    expect(await queued(entry('c-1'))).toEqual(new Set([all.id]));
    expect(await queued(entry('vip-2'))).toEqual(new Set([all.id, vip.id]));
    expect(await queued(entry('c-1', { priority: 'P1', metadata: { source: 'crm' } }))).toEqual(new Set([all.id, urgent.id]));
    expect(await queued(entry('c-1', { priority: 'P1', metadata: { source: 'email' } }))).toEqual(new Set([all.id]));
    expect(await queued(entry('c-1', { priority: 'P1' }))).toEqual(new Set([all.id])); // a missing field never equals
    expect(await queued(entry('vip-1', {}, FRAUD))).toEqual(new Set([all.id, fraudOnly.id, vip.id]));
    expect(off.enabled).toBe(false);
  });

  it('queues one delivery per (subscription, result topic, event id), however often the result is read', async () => {
    const sub = await subscribe({ entityKeys: ['once'] });
    const e = entry('once');
    expect(await outbox.enqueue(e)).toContain(sub.id);
    expect(await outbox.enqueue(e)).toEqual([]);
    expect(await outbox.enqueue({ ...e, resultTopic: FRAUD })).toContain(sub.id); // another topic's result of the same event
    const { rows } = await pool.query(`SELECT result_topic FROM ${schema}.webhook_deliveries WHERE subscription_id = $1 ORDER BY seq`, [sub.id]);
    expect(rows.map((r) => r.result_topic)).toEqual([TRIAGE, FRAUD]);
  });

  it("hands out only the head of each entity's queue, oldest first; a failure holds back only that entity", async () => {
    const sub = await subscribe({ entityKeys: ['a', 'b'] });
    const a = [entry('a', { n: 1 }), entry('a', { n: 2 }), entry('a', { n: 3 })];
    const b = [entry('b', { n: 1 }), entry('b', { n: 2 })];
    for (const e of [a[0]!, b[0]!, a[1]!, b[1]!, a[2]!]) await outbox.enqueue(e);
    const first = await claimAll(sub.id);
    expect(first.map((d) => `${d.entityKey}${d.result.n}`)).toEqual(['a1', 'b1']);
    expect(await claimAll(sub.id)).toEqual([]); // both heads are in flight
    await outbox.failed(first[0]!, { status: 500, error: 'HTTP 500' }, 60_000); // a1 retries in a minute
    await outbox.delivered(first[1]!, 204);
    const second = await claimAll(sub.id);
    expect(second.map((d) => `${d.entityKey}${d.result.n}`)).toEqual(['b2']); // a2 waits behind a1
    expect(second[0]!.attempts).toBe(0);
  });

  it('leases a delivery to one claimer at a time, and takes it back when the lease runs out', async () => {
    const sub = await subscribe({ entityKeys: ['lease'] });
    await outbox.enqueue(entry('lease'));
    const claims = await Promise.all(Array.from({ length: 6 }, () => claimAll(sub.id)));
    expect(claims.flat()).toHaveLength(1);
    const [held] = claims.flat() as [ClaimedDelivery];
    await pool.query(`UPDATE ${schema}.webhook_deliveries SET leased_until = now() - interval '1 second' WHERE id = $1`, [held.id]);
    const [again] = await claimAll(sub.id);
    expect(again!.id).toBe(held.id); // same webhook-id on the retry
    expect(await outbox.delivered(held, 200)).toBe(false); // the old lease cannot record an outcome any more
    expect(await outbox.delivered(again!, 200)).toBe(true);
  });

  it('dead-letters with the cause, lists dead letters, and redrives them with a fresh schedule', async () => {
    const sub = await subscribe({ entityKeys: ['dead'] });
    await outbox.enqueue(entry('dead'));
    await outbox.enqueue(entry('dead'));
    const [d] = await claimAll(sub.id);
    await outbox.failed(d!, { status: null, error: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' }, undefined);
    const letters = await outbox.deadLetters(sub.id);
    expect(letters).toEqual([expect.objectContaining({ deliveryId: d!.id, attempts: 1, lastStatus: null, lastError: expect.stringMatching(/ECONNREFUSED/), entityKey: 'dead' })]);
    const [next] = await claimAll(sub.id); // a dead letter no longer holds back its entity
    expect(next!.id).not.toBe(d!.id);
    await outbox.delivered(next!, 200);
    expect(await outbox.backlog()).toContainEqual({ subscriptionId: sub.id, pending: 0, dead: 1 });
    expect(await outbox.redrive(sub.id)).toBe(1);
    const [redriven] = await claimAll(sub.id);
    expect({ id: redriven!.id, attempts: redriven!.attempts }).toEqual({ id: d!.id, attempts: 0 });
    expect(await outbox.deadLetters(sub.id)).toEqual([]);
  });

  it('stores secrets sealed, never lists them, and deletes a subscription with its deliveries', async () => {
    const sub = await subscribe();
    expect(sub.secret).toMatch(/^whsec_/);
    const { rows } = await pool.query<{ secret: string }>(`SELECT secret FROM ${schema}.webhook_subscriptions WHERE id = $1`, [sub.id]);
    expect(rows[0]!.secret).toMatch(/^enc:v1:/);
    expect(box.open(rows[0]!.secret)).toBe(sub.secret);
    expect(JSON.stringify(await subscriptions.list())).not.toContain('whsec_');
    await outbox.enqueue(entry('gone'));
    expect(await subscriptions.delete(sub.id)).toBe(true);
    expect(await subscriptions.delete(sub.id)).toBe(false);
    const left = await pool.query(`SELECT 1 FROM ${schema}.webhook_deliveries WHERE subscription_id = $1`, [sub.id]);
    expect(left.rowCount).toBe(0);
  });

  it("is found by a customer erasure: deliveries keyed by the customer or naming it in the result's customerId", async () => {
    const sub = await subscribe({ entityKeys: ['cust-erase', 'card-erase', 'cust-keep'] });
    await outbox.enqueue(entry('cust-erase'));
    await outbox.enqueue(entry('card-erase', { customerId: 'cust-erase' }, FRAUD));
    await outbox.enqueue(entry('cust-keep'));
    const naming = `SELECT count(*)::int AS n FROM ${schema}.webhook_deliveries WHERE entity_key = $1 OR result->>'customerId' = $1`;
    const before = (await pool.query(naming, ['cust-erase'])).rows[0].n;
    expect(before).toBeGreaterThanOrEqual(2); // this test's subscription, and the catch-all one of the first test
    const erased = await erasePersonalData(pool, schemaName, WEBHOOK_PERSONAL_DATA, 'cust-erase');
    expect(erased).toEqual([{ store: 'webhooks:deliveries', table: 'webhook_deliveries', rows: before }]);
    expect((await pool.query(naming, ['cust-erase'])).rows[0].n).toBe(0);
    const { rows } = await pool.query(`SELECT entity_key FROM ${schema}.webhook_deliveries WHERE subscription_id = $1`, [sub.id]);
    expect(rows).toEqual([{ entity_key: 'cust-keep' }]);
  });

  it('claims quickly from a large backlog held behind failing heads (measured)', async () => {
    const sub = await subscribe({ entityKeys: Array.from({ length: 500 }, (_, i) => `k${i}`) });
    // 20,000 deliveries over 500 entities, every head failing and due in an hour: nothing is claimable.
    await pool.query(
      `INSERT INTO ${schema}.webhook_deliveries (subscription_id, result_topic, event_id, entity_key, result)
       SELECT $1, $2, gen_random_uuid(), 'k' || (i % 500), '{}'::jsonb FROM generate_series(1, 20000) i`,
      [sub.id, TRIAGE],
    );
    await pool.query(`UPDATE ${schema}.webhook_deliveries SET next_attempt_at = now() + interval '1 hour' WHERE subscription_id = $1 AND seq IN (SELECT min(seq) FROM ${schema}.webhook_deliveries WHERE subscription_id = $1 GROUP BY entity_key)`, [sub.id]);
    await pool.query(`ANALYZE ${schema}.webhook_deliveries`);
    const started = performance.now();
    expect(await claimAll(sub.id, 8)).toEqual([]);
    const ms = performance.now() - started;
    process.stderr.write(`[outbox] claim over a 20,000-delivery backlog (500 held entities): ${ms.toFixed(1)} ms\n`);
    expect(ms).toBeLessThan(2_000);
  });
});
