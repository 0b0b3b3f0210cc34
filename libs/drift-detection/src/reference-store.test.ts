import pg from 'pg';
import { uniqueSqlName } from '../../../test/harness/ids.js';
import { DriftTracker } from './drift-tracker.js';
import { DriftReferenceStore, type StoredReference } from './reference-store.js';

// Real PostgreSQL: the store is a table and a JSON column; a mock would only repeat the SQL.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is not set: start the stack with `bash scripts/stack.sh up` (then source /var/tmp/spine-root/stack.env)');

const schema = uniqueSqlName('drift_refs');
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const store = new DriftReferenceStore(pool, { schema });
const settings = { referenceSize: 20, windowSize: 20, evaluateEvery: 5, bound: 0.2 };

beforeAll(async () => {
  await store.migrate();
  await store.migrate(); // idempotent
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('DriftReferenceStore', () => {
  const numeric: StoredReference = { id: { topic: 'scores', field: 'score', version: '1.0.0' }, kind: 'numeric', values: [0.1, null, 0.3] };
  const categorical: StoredReference = { id: { topic: 'payments', field: 'transaction.channel', version: null }, kind: 'categorical', values: ['ONLINE', 'CARD_PRESENT', null] };

  it('stores references per scope and version, replaces a series on save, and deletes a scope', async () => {
    await store.saveAll('a-', [numeric, categorical]);
    await store.saveAll('b-', [{ ...numeric, values: [9] }]);
    const sort = (refs: StoredReference[]) => [...refs].sort((x, y) => x.id.topic.localeCompare(y.id.topic));
    const armed = (reference: StoredReference) => ({ ...reference, rearmedAt: expect.any(Date) }); // a stored reference starts armed
    expect(sort(await store.loadAll('a-'))).toEqual([armed(categorical), armed(numeric)]);
    await store.saveAll('a-', [{ ...numeric, values: [0.5] }]);
    expect((await store.loadAll('a-')).find((r) => r.id.field === 'score')!.values).toEqual([0.5]);
    expect(await store.loadAll('b-')).toEqual([armed({ ...numeric, values: [9] })]);
    expect(await store.deleteAll('a-')).toBe(2);
    expect(await store.loadAll('a-')).toEqual([]);
    await store.saveAll('a-', []); // nothing to do
  });

  it('round-trips a tracker: references completed in one run judge the next run from its first values', async () => {
    const id = { topic: 'scores', field: 'score', version: '2.0.0' };
    const first = new DriftTracker(settings);
    for (let i = 0; i < 20; i += 1) first.observe(id, 'numeric', i);
    const completed = first.takeCompletedReferences();
    expect(completed).toEqual([{ id, kind: 'numeric', values: Array.from({ length: 20 }, (_, i) => i) }]);
    expect(first.takeCompletedReferences()).toEqual([]);
    await store.saveAll('c-', completed);

    const second = new DriftTracker(settings, {}, await store.loadAll('c-'));
    const evaluations = Array.from({ length: 20 }, (_, i) => second.observe(id, 'numeric', 100 + i)).filter((e) => e !== undefined);
    expect(second.restored(id)).toBe(true);
    expect(evaluations[0]).toMatchObject({ drifted: true, referenceCount: 20, windowCount: 20 }); // judged against the stored reference
    expect(second.takeCompletedReferences()).toEqual([]); // nothing new to store

    // A stored reference of another kind or size is re-learnt instead.
    const resized = new DriftTracker({ ...settings, referenceSize: 10 }, {}, await store.loadAll('c-'));
    resized.observe(id, 'numeric', 1);
    expect(resized.restored(id)).toBe(false);
    const retyped = new DriftTracker(settings, {}, await store.loadAll('c-'));
    retyped.observe(id, 'categorical', 'x');
    expect(retyped.restored(id)).toBe(false);
  });

  it('keeps a drift reported before a restart unreported again until it was seen to end, and knows when it ended', async () => {
    const id = { topic: 'scores', field: 'score', version: '3.0.0' };
    const learn = new DriftTracker(settings);
    for (let i = 0; i < 20; i += 1) learn.observe(id, 'numeric', i);
    await store.saveAll('d-', learn.takeCompletedReferences());
    await new Promise((r) => setTimeout(r, 20));
    const reportedAt = Date.now(); // a drift event of this series, as read back from the drift topic
    const drifted = (tracker: DriftTracker) => Array.from({ length: 20 }, (_, i) => tracker.observe(id, 'numeric', 100 + i)).filter((e) => e !== undefined);
    const normal = (tracker: DriftTracker) => Array.from({ length: 40 }, (_, i) => tracker.observe(id, 'numeric', i % 20)).filter((e) => e !== undefined);

    // Restarted during the drift: the same drift is not reported again; the return to normal re-arms it.
    const restarted = new DriftTracker(settings, {}, await store.loadAll('d-'));
    restarted.restoreReported([{ id, at: reportedAt }]);
    expect(drifted(restarted).filter((e) => e.drifted)).toEqual([]);
    expect(normal(restarted).filter((e) => e.rearmed)).toHaveLength(1);
    await store.saveRearmed('d-', [{ id, at: new Date() }]);

    // Restarted after it ended: armed, so the next drift is reported.
    const again = new DriftTracker(settings, {}, await store.loadAll('d-'));
    again.restoreReported([{ id, at: reportedAt }]);
    expect(drifted(again).filter((e) => e.drifted)).toHaveLength(1);

    // A report older than the reference (or its last re-arm) leaves a restored series armed.
    const stale = new DriftTracker(settings, {}, await store.loadAll('d-'));
    stale.restoreReported([{ id, at: reportedAt - 60_000 }]);
    expect(drifted(stale).filter((e) => e.drifted)).toHaveLength(1);
  });
});
