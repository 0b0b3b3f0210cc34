import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AiResultStore } from './ai-result-store.js';
import type { AiResultRow } from './types.js';

// Real PostgreSQL only: idempotency here is the database's ON CONFLICT, which a mock would only pretend to do.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  throw new Error('DATABASE_URL is not set: start the stack with `bash scripts/stack.sh up` (then source /var/tmp/spine-root/stack.env)');
}

// A schema of our own per run, so parallel runs and other test files never see each other's rows.
const schema = `t_${randomUUID().replaceAll('-', '')}`;
const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
const store = new AiResultStore(pool, { schema });
const TRIAGE = 'spine.ai.support-triage.v1';
const FRAUD = 'spine.ai.fraud-score.v1';

function row(more: Partial<AiResultRow> = {}): AiResultRow {
  return {
    eventId: randomUUID(),
    resultTopic: TRIAGE,
    entityKey: 'customer-1',
    correlationId: 'corr-1',
    modelName: 'support-triage',
    modelVersion: '1.1.0',
    occurredAt: new Date('2024-03-10T12:00:00.000Z'),
    receivedAt: new Date('2024-03-10T12:00:00.250Z'),
    result: { sentiment: 'NEGATIVE', priority: 'P2', inferredAt: '2024-03-10T12:00:01.500Z' },
    ...more,
  };
}

beforeAll(async () => {
  await Promise.all([store.migrate(), store.migrate()]); // concurrent migrations take turns
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('AiResultStore', () => {
  it('round-trips every field, the result as JSON and a 64-bit offset as a string', async () => {
    const stored = row({
      entityKey: 'customer-ünïcode "quoted", {braced}',
      result: { score: 0.1 + 0.2, reasons: ['a', 'b'], nested: { amount: '12.50', when: '2024-02-29T23:59:59.999Z' }, flag: false, none: null },
      storedAt: new Date('2024-03-01T00:00:00.001Z'),
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      sourceTopic: `prefix.${TRIAGE}`,
      sourcePartition: 0,
      sourceOffset: '9007199254740993', // 2^53 + 1: not representable as a JS number
    });
    expect(await store.saveAll([stored])).toBe(1);
    expect(await store.findByEventId(stored.eventId)).toEqual([stored]);
  });

  it('fills stored_at from the database clock and leaves absent provenance absent', async () => {
    const stored = row();
    const before = Date.now();
    await store.saveAll([stored]);
    const [found] = await store.findByEventId(stored.eventId);
    expect(found!.storedAt!.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(found!.storedAt!.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(found).not.toHaveProperty('sourceTopic');
    expect(found!.traceId).toBeNull();
  });

  it('stores each (event id, result topic) once: again, with other content, or twice in one batch', async () => {
    const first = row({ result: { priority: 'P1' } });
    expect(await store.saveAll([first, { ...first, result: { priority: 'P4' } }])).toBe(1);
    expect(await store.saveAll([first])).toBe(0);
    expect(await store.saveAll([{ ...first, modelVersion: '9.9.9' }])).toBe(0);
    expect((await store.findByEventId(first.eventId))[0]!.result).toEqual({ priority: 'P1' });
    expect(await store.count({ eventIds: [first.eventId] })).toBe(1);
  });

  it('keeps one result per result topic for the same event, and filters by topic', async () => {
    const eventId = randomUUID();
    expect(await store.saveAll([row({ eventId }), row({ eventId, resultTopic: FRAUD, modelName: 'fraud-lr', result: { score: 0.9 } })])).toBe(2);
    expect((await store.findByEventId(eventId)).map((r) => r.resultTopic).sort()).toEqual([FRAUD, TRIAGE]);
    expect((await store.findByEventId(eventId, { resultTopic: FRAUD })).map((r) => r.modelName)).toEqual(['fraud-lr']);
    expect(await store.count({ eventIds: [eventId], resultTopic: TRIAGE })).toBe(1);
  });

  it('saves a batch of 5,000 in one statement', async () => {
    const batch = Array.from({ length: 5000 }, () => row());
    expect(await store.saveAll(batch)).toBe(5000);
    expect(await store.count({ eventIds: batch.map((r) => r.eventId) })).toBe(5000);
  });

  it('never deadlocks when two instances save overlapping batches in opposite orders', async () => {
    const rows = Array.from({ length: 400 }, () => row());
    const saved = await Promise.all(Array.from({ length: 4 }, (_, i) => store.saveAll(i % 2 ? rows : [...rows].reverse())));
    expect(saved.reduce((sum, n) => sum + n, 0)).toBe(400);
  });

  it('finds nothing for unknown or malformed event ids, and refuses names that are not identifiers', async () => {
    expect(await store.findByEventId(randomUUID())).toEqual([]);
    expect(await store.findByEventId("' OR 1=1 --")).toEqual([]);
    expect(await store.count({ eventIds: [] })).toBe(0);
    for (const bad of ['Results', 'a;b', 'x" CASCADE --', '']) {
      expect(() => new AiResultStore(pool, { schema, table: bad })).toThrow(/Invalid table/);
      expect(() => new AiResultStore(pool, { schema: bad })).toThrow(/Invalid schema/);
    }
  });

  it('rejects a row missing a required field, storing none of its batch', async () => {
    const good = row();
    const bad = { ...row(), modelName: undefined } as unknown as AiResultRow;
    await expect(store.saveAll([good, bad])).rejects.toThrow(/model_name/);
    expect(await store.count({ eventIds: [good.eventId] })).toBe(0);
  });
});
