import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { IdempotencyStore, isValidIdempotencyKey } from './idempotency-store.js';
import { requestHash } from './request-hash.js';

// Real PostgreSQL: the race between two requests is decided by INSERT ... ON CONFLICT, which only the database can show.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 6 });
const schema = `t_idem_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const store = new IdempotencyStore(pool, { schema, waitMs: 1_500, leaseMs: 800 });
const hash = (body: unknown) => requestHash(body);

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: start the stack (bash scripts/stack.sh up) and source its stack.env');
  await Promise.all([store.migrate(), store.migrate()]);
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('IdempotencyStore', () => {
  it('lets the first request take a key, replays its answer to the next, refuses another body', async () => {
    const key = randomUUID();
    const ids = [randomUUID()];
    expect(await store.acquire('p1', key, hash({ a: 1 }), ids)).toEqual({ kind: 'acquired', eventIds: ids });
    await store.complete('p1', key, 202, { accepted: [{ eventId: ids[0] }] });
    expect(await store.acquire('p1', key, hash({ a: 1 }), [randomUUID()])).toEqual({ kind: 'replay', status: 202, response: { accepted: [{ eventId: ids[0] }] } });
    expect(await store.acquire('p1', key, hash({ a: 2 }), [randomUUID()])).toEqual({ kind: 'mismatch' });
    // Keys belong to one credential.
    expect((await store.acquire('p2', key, hash({ a: 2 }), ids)).kind).toBe('acquired');
  });

  it('makes a concurrent request wait for the first answer, or 409 when it takes too long', async () => {
    const key = randomUUID();
    expect((await store.acquire('p1', key, hash('x'), ['e1'])).kind).toBe('acquired');
    const waiting = store.acquire('p1', key, hash('x'), ['e2']);
    setTimeout(() => void store.complete('p1', key, 202, { ok: true }), 300);
    expect(await waiting).toEqual({ kind: 'replay', status: 202, response: { ok: true } });

    const slow = randomUUID();
    await store.acquire('p1', slow, hash('y'), ['e3']);
    const started = Date.now();
    expect(await new IdempotencyStore(pool, { schema, waitMs: 300, leaseMs: 60_000 }).acquire('p1', slow, hash('y'), ['e4'])).toEqual({ kind: 'in-progress' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('lets exactly one of many racing requests take a key', async () => {
    const key = randomUUID();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => new IdempotencyStore(pool, { schema, waitMs: 0 }).acquire('p1', key, hash('race'), [`e${i}`])));
    expect(outcomes.filter((o) => o.kind === 'acquired')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'in-progress')).toHaveLength(7);
  });

  it('after a 5xx (release) the retry runs again under the first event ids; a dead holder loses its lease', async () => {
    const key = randomUUID();
    await store.acquire('p1', key, hash('z'), ['first-id']);
    await store.release('p1', key);
    expect(await store.acquire('p1', key, hash('z'), ['second-id'])).toEqual({ kind: 'acquired', eventIds: ['first-id'] });
    // Not released (the process died): after the lease (800 ms here) another request takes over, same ids.
    await new Promise((r) => setTimeout(r, 900));
    expect(await store.acquire('p1', key, hash('z'), ['third-id'])).toEqual({ kind: 'acquired', eventIds: ['first-id'] });
  });

  it('forgets keys past their retention and purges them', async () => {
    const shortLived = new IdempotencyStore(pool, { schema, retentionMs: 200 });
    const key = randomUUID();
    await shortLived.acquire('p9', key, hash('old'), ['old-id']);
    await shortLived.complete('p9', key, 202, { old: true });
    await new Promise((r) => setTimeout(r, 300));
    // Expired: the key is new again, even with another body.
    expect(await shortLived.acquire('p9', key, hash('new'), ['new-id'])).toEqual({ kind: 'acquired', eventIds: ['new-id'] });
    await shortLived.complete('p9', key, 202, { new: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.purgeExpired(1)).toBeGreaterThanOrEqual(1);
    const { rows } = await pool.query(`SELECT 1 FROM "${schema}".idempotency_keys WHERE principal = 'p9'`);
    expect(rows).toEqual([]);
  });

  it('accepts keys of visible ASCII only', () => {
    expect(isValidIdempotencyKey(randomUUID())).toBe(true);
    for (const bad of ['', ' ', 'a b', 'é', 'k'.repeat(256), '\n']) expect(isValidIdempotencyKey(bad)).toBe(false);
  });
});
