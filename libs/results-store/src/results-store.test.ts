import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ResultsStore } from './results-store.js';
import type { TriageResultRow } from './types.js';

// Real PostgreSQL only: idempotency here is the database's ON CONFLICT, which a mock would only pretend to do.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  throw new Error('DATABASE_URL is not set: start the stack with `bash scripts/stack.sh up` (then source /var/tmp/spine-root/stack.env)');
}

// A schema of our own per run, so parallel runs and other test files never see each other's rows.
const schema = `t_${randomUUID().replaceAll('-', '')}`;
const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
const store = new ResultsStore(pool, { schema });

function result(more: Partial<TriageResultRow> = {}): TriageResultRow {
  return {
    eventId: randomUUID(),
    customerId: 'customer-1',
    correlationId: randomUUID(),
    sentiment: 'NEGATIVE',
    sentimentScore: -0.5,
    intent: 'REFUND',
    intentConfidence: 0.8,
    priority: 'P2',
    modelName: 'triage-nb',
    modelVersion: '1.0.0',
    occurredAt: new Date('2024-03-10T12:00:00.000Z'),
    receivedAt: new Date('2024-03-10T12:00:00.250Z'),
    inferredAt: new Date('2024-03-10T12:00:01.500Z'),
    ...more,
  };
}

beforeAll(async () => {
  await store.migrate();
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('ResultsStore', () => {
  it('round-trips every field', async () => {
    const row = result({
      eventId: randomUUID(),
      customerId: 'customer-ünïcode "quoted", {braced}',
      sentiment: 'POSITIVE',
      sentimentScore: -0.7333333333333333,
      intentConfidence: 0.1 + 0.2, // 0.30000000000000004 must come back bit for bit
      priority: 'P4',
      modelVersion: '2.3.1+sha.abc',
      occurredAt: new Date('2024-02-29T23:59:59.999Z'),
      storedAt: new Date('2024-03-01T00:00:00.001Z'),
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      sourceTopic: 'spine.ai.support-triage-result.v1',
      sourcePartition: 0,
      sourceOffset: '9007199254740993', // 2^53 + 1: not representable as a JS number
    });
    expect(await store.saveAll([row])).toBe(1);
    expect(await store.findByEventId(row.eventId)).toEqual(row);
  });

  it('fills stored_at from the database clock and leaves absent provenance absent', async () => {
    const row = result();
    const before = Date.now();
    await store.saveAll([row]);
    const after = Date.now();
    const found = await store.findByEventId(row.eventId);
    expect(found).not.toBeNull();
    // Same host, so the clocks agree to well within a few seconds.
    expect(found!.storedAt!.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(found!.storedAt!.getTime()).toBeLessThanOrEqual(after + 5_000);
    expect(found!.traceId).toBeNull();
    expect(found).not.toHaveProperty('sourceTopic');
    expect(found).not.toHaveProperty('sourcePartition');
    expect(found).not.toHaveProperty('sourceOffset');
    const { storedAt: _ignored, ...rest } = found!;
    expect(rest).toEqual({ ...row, traceId: null });
  });

  it('is idempotent: saving the same batch again stores nothing new', async () => {
    const batch = [result(), result(), result()];
    const ids = batch.map((r) => r.eventId);
    const totalBefore = await store.count();
    expect(await store.saveAll(batch)).toBe(3);
    expect(await store.saveAll(batch)).toBe(0);
    expect(await store.count({ eventIds: ids })).toBe(3);
    expect(await store.count()).toBe(totalBefore + 3);
  });

  it('leaves a stored row untouched when its event id comes again with other content', async () => {
    const original = result({ sentiment: 'NEGATIVE', priority: 'P1' });
    await store.saveAll([original]);
    const fresh = result();
    expect(await store.saveAll([{ ...original, sentiment: 'POSITIVE', priority: 'P4' }, fresh])).toBe(1);
    expect(await store.findByEventId(original.eventId)).toMatchObject({ sentiment: 'NEGATIVE', priority: 'P1' });
    expect(await store.findByEventId(fresh.eventId)).not.toBeNull();
  });

  it('stores a duplicate inside one batch once', async () => {
    const row = result();
    expect(await store.saveAll([row, { ...row, sentiment: 'NEUTRAL' }, row])).toBe(1);
    expect(await store.count({ eventIds: [row.eventId] })).toBe(1);
  });

  it('does nothing for an empty batch', async () => {
    expect(await store.saveAll([])).toBe(0);
  });

  it('saves a batch larger than a VALUES list could bind (18 columns x 5000 rows > 65535 parameters)', async () => {
    const batch = Array.from({ length: 5000 }, () => result());
    expect(await store.saveAll(batch)).toBe(5000);
    expect(await store.count({ eventIds: batch.map((r) => r.eventId) })).toBe(5000);
  });

  it('never deadlocks when two instances save overlapping batches in opposite orders', async () => {
    const rows = Array.from({ length: 300 }, () => result());
    const first = rows.slice(0, 200);
    const second = rows.slice(100).reverse();
    // Make the race deterministic: a third transaction holds a key both batches contain, so both block on it
    // midway with some of the other's keys still ahead of them. Inserting in caller order, each would then
    // wait for keys the other already holds ("deadlock detected"); inserting in event id order, they cannot.
    const holder = await pool.connect();
    let saving: Promise<PromiseSettledResult<number>[]> | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO "${schema}".triage_results (event_id, customer_id, correlation_id, sentiment, sentiment_score,
           intent, intent_confidence, priority, model_name, model_version, occurred_at, received_at, inferred_at)
         VALUES ($1, 'c', 'c', 'NEUTRAL', 0, 'OTHER', 0, 'P4', 'm', 'v', now(), now(), now())`,
        [rows[150]!.eventId],
      );
      saving = Promise.allSettled([store.saveAll(first), store.saveAll(second)]);
      await waitForLockWaiters(2);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const saved = (await saving!).map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    });
    expect(saved.reduce((sum, n) => sum + n, 0)).toBe(300);
    expect(await store.count({ eventIds: rows.map((r) => r.eventId) })).toBe(300);
  });

  it('finds nothing for unknown or malformed event ids', async () => {
    const stored = result();
    await store.saveAll([stored]);
    expect(await store.findByEventId(randomUUID())).toBeNull();
    expect(await store.findByEventId("' OR 1=1 --")).toBeNull();
    expect(await store.count({ eventIds: [] })).toBe(0);
    expect(await store.count({ eventIds: ['nope', stored.eventId, randomUUID()] })).toBe(1);
    expect(await store.findByEventId(stored.eventId.toUpperCase())).toMatchObject({ eventId: stored.eventId });
  });

  it('rejects a row missing a required field, storing none of its batch', async () => {
    const good = result();
    const bad = { ...result(), sentiment: undefined } as unknown as TriageResultRow;
    await expect(store.saveAll([good, bad])).rejects.toThrow(/sentiment/);
    expect(await store.count({ eventIds: [good.eventId] })).toBe(0);
  });

  it('uses a configurable table and refuses names that are not plain identifiers', async () => {
    const alt = new ResultsStore(pool, { schema, table: 'results_alt' });
    await Promise.all([alt.migrate(), alt.migrate()]);
    const row = result();
    expect(await alt.saveAll([row])).toBe(1);
    expect(await store.findByEventId(row.eventId)).toBeNull();
    expect(await alt.findByEventId(row.eventId)).toMatchObject({ eventId: row.eventId });

    for (const bad of ['Results', 'a;b', 'x" CASCADE --', '', '9lives']) {
      expect(() => new ResultsStore(pool, { schema, table: bad })).toThrow(/Invalid table/);
      expect(() => new ResultsStore(pool, { schema: bad })).toThrow(/Invalid schema/);
    }
  });
});

/** Resolves once `n` sessions working on this test's schema are waiting for a lock. */
async function waitForLockWaiters(n: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const waiting = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
      [`%"${schema}"%`],
    );
    if (waiting.rows[0]!.n >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${n} sessions ever waited for a lock`);
}
