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

  it('lets overlapping batches from two instances race without deadlock or double counting', async () => {
    for (let round = 0; round < 5; round++) {
      const rows = Array.from({ length: 300 }, () => result());
      const first = rows.slice(0, 200);
      const second = rows.slice(100).reverse();
      const [a, b] = await Promise.all([store.saveAll(first), store.saveAll(second)]);
      expect(a + b).toBe(300);
      expect(await store.count({ eventIds: rows.map((r) => r.eventId) })).toBe(300);
    }
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
