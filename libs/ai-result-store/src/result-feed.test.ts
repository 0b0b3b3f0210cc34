import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AiResultFeed, type StreamPosition } from './result-feed.js';
import { AiResultStore } from './ai-result-store.js';
import type { AiResultRow } from './types.js';

// Real PostgreSQL: the ordering this relies on (transaction ids, snapshots, LISTEN/NOTIFY) is the database's.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is not set: start the stack with `bash scripts/stack.sh up` (then source /var/tmp/spine-root/stack.env)');

const schema = `t_${randomUUID().replaceAll('-', '')}`;
const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
const store = new AiResultStore(pool, { schema });
const feed = new AiResultFeed(pool, { schema, fallbackPollMs: 60_000 });
const TRIAGE = 'spine.ai.support-triage.v1';
const FRAUD = 'spine.ai.fraud-score.v1';

function row(more: Partial<AiResultRow> = {}): AiResultRow {
  return {
    eventId: randomUUID(),
    resultTopic: TRIAGE,
    entityKey: 'cust-1',
    correlationId: 'c',
    modelName: 'm',
    modelVersion: '1',
    occurredAt: new Date('2026-01-01T00:00:00Z'),
    receivedAt: new Date('2026-01-01T00:00:01Z'),
    result: { n: 0 },
    ...more,
  };
}

/** Everything after `from`, as a stream reads it: page by page, and again while rows are held behind an open transaction. */
async function readAll(from: StreamPosition, filter = {}, reader = feed) {
  const out: Array<{ sequence: string; eventId: string }> = [];
  let position = from;
  const deadline = Date.now() + 15_000; // other suites share the database: their transactions may hold rows briefly
  for (;;) {
    const { results, held } = await reader.read(position, filter, 3); // small pages: paging is exercised too
    out.push(...results.map((r) => ({ sequence: r.sequence, eventId: r.row.eventId })));
    if (results.length) position = results.at(-1)!.position;
    if (results.length === 3) continue;
    if (!held || Date.now() > deadline) return { out, position };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  await store.migrate();
});

afterAll(async () => {
  await feed.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('AiResultFeed', () => {
  it('numbers rows stored before the sequence column existed, in the migration that adds it', async () => {
    const legacy = `${schema}_legacy`;
    const old = new AiResultStore(pool, { schema: legacy });
    await old.migrate();
    await pool.query(`ALTER TABLE "${legacy}".ai_results DROP COLUMN seq, DROP COLUMN tx_id`); // the table as it was
    const rows = [row(), row(), row()];
    for (const r of rows) await old.saveAll([r]);
    await old.migrate();
    const legacyFeed = new AiResultFeed(pool, { schema: legacy });
    const { out, position } = await readAll({ tx: '0', seq: '0' }, {}, legacyFeed);
    expect(out.map((r) => r.eventId).sort()).toEqual(rows.map((r) => r.eventId).sort());
    expect(new Set(out.map((r) => r.sequence)).size).toBe(3);
    const r4 = row();
    await old.saveAll([r4]); // new rows number on from there
    const after = await readAll(position, {}, legacyFeed);
    expect(after.out.map((r) => r.eventId)).toEqual([r4.eventId]);
    expect(BigInt(after.out[0]!.sequence)).toBeGreaterThan(BigInt(out.at(-1)!.sequence));
    await pool.query(`DROP SCHEMA "${legacy}" CASCADE`);
  });

  it('never passes a row whose older neighbour has not committed yet, so a resumed reader misses nothing', async () => {
    const start = await feed.now();
    const slow = await pool.connect();
    const late = row({ entityKey: 'race' });
    const early = row({ entityKey: 'race' });
    try {
      // `late` draws its sequence first but commits last; `early` commits in between.
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO "${schema}".ai_results (event_id, result_topic, entity_key, correlation_id, model_name, model_version, occurred_at, received_at, result)
         VALUES ($1, $2, $3, 'c', 'm', '1', now(), now(), '{}')`,
        [late.eventId, late.resultTopic, late.entityKey],
      );
      await store.saveAll([early]);
      const whileOpen = await feed.read(start, { entityKey: 'race' }, 10);
      expect(whileOpen.results).toEqual([]); // `early` is committed but held behind the open transaction
      expect(whileOpen.held).toBe(true);
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    const { out } = await readAll(start, { entityKey: 'race' });
    expect(out.map((r) => r.eventId)).toEqual([late.eventId, early.eventId]);
    expect(BigInt(out[0]!.sequence)).toBeLessThan(BigInt(out[1]!.sequence)); // ids stay the rows' sequences
  });

  it('resumes after a Last-Event-ID exactly, filters by topic and entity, and survives an erased last event', async () => {
    const start = await feed.now();
    const rows = [row({ entityKey: 'f1' }), row({ entityKey: 'f2' }), row({ entityKey: 'f1', resultTopic: FRAUD }), row({ entityKey: 'f1' }), row({ entityKey: 'f1' })];
    for (const r of rows) await store.saveAll([r]);
    const { out: everything } = await readAll(start);
    expect(everything.map((r) => r.eventId)).toEqual(rows.map((r) => r.eventId));
    const resumed = await readAll(await feed.after(everything[1]!.sequence));
    expect(resumed.out.map((r) => r.eventId)).toEqual(rows.slice(2).map((r) => r.eventId));
    const f1Triage = await readAll(start, { entityKey: 'f1', resultTopic: TRIAGE });
    expect(f1Triage.out.map((r) => r.eventId)).toEqual([rows[0]!, rows[3]!, rows[4]!].map((r) => r.eventId));
    await pool.query(`DELETE FROM "${schema}".ai_results WHERE event_id = $1`, [rows[3]!.eventId]); // erased (GDPR)
    const afterErased = await readAll(await feed.after(everything[3]!.sequence));
    expect(afterErased.out.map((r) => r.eventId)).toEqual([rows[4]!.eventId]);
    expect(await feed.after('0')).toEqual({ tx: '0', seq: '0' });
    expect(AiResultFeed.isSequence('12')).toBe(true);
    expect(AiResultFeed.isSequence('12; DROP')).toBe(false);
    await expect(feed.after('abc')).rejects.toThrow(/not a result sequence/);
  });

  it('wakes readers on every insert through LISTEN/NOTIFY (latency measured), and only for its own table', async () => {
    const other = new AiResultStore(pool, { schema, table: 'other_results' });
    await other.migrate();
    await feed.changedSince(feed.version, 0); // starts the listener
    let seen = feed.version;
    const quiet = feed.changedSince(seen, 300);
    await other.saveAll([row()]); // another table's insert: no wake-up
    const t0 = performance.now();
    await quiet;
    expect(performance.now() - t0).toBeGreaterThan(200);
    expect(feed.version).toBe(seen);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      seen = feed.version;
      const woken = feed.changedSince(seen, 5_000);
      const started = performance.now();
      await store.saveAll([row()]);
      await woken;
      latencies.push(performance.now() - started); // insert + commit + notification
      expect(feed.version).not.toBe(seen);
    }
    latencies.sort((a, b) => a - b);
    process.stderr.write(`[result-feed] insert to reader wake-up (NOTIFY): p50 ${latencies[10]!.toFixed(2)} ms, max ${latencies.at(-1)!.toFixed(2)} ms\n`);
    expect(latencies.at(-1)!).toBeLessThan(1_000);
  });

  it('costs the insert path little: single-row inserts with and without the notify trigger (measured)', async () => {
    const timed = async () => {
      const started = performance.now();
      for (let i = 0; i < 300; i++) await store.saveAll([row()]);
      return (performance.now() - started) / 300;
    };
    await timed(); // warm-up
    await pool.query(`ALTER TABLE "${schema}".ai_results DISABLE TRIGGER ai_results_notify`);
    const without = await timed();
    await pool.query(`ALTER TABLE "${schema}".ai_results ENABLE TRIGGER ai_results_notify`);
    const withTrigger = await timed();
    process.stderr.write(`[result-feed] single-row insert: ${without.toFixed(3)} ms without the notify trigger, ${withTrigger.toFixed(3)} ms with it\n`);
    expect(withTrigger).toBeLessThan(without * 3 + 2);
  });
});
