import pg from 'pg';
import { Registry } from 'prom-client';
import { InferenceCache, inputHash } from '@spine/inference-cache';
import { CoalescedCache } from '@spine/model-lifecycle';
import { uniqueSqlName } from '../harness/ids.js';

// On the real PostgreSQL: records in flight at once share the cache's round trips, and each still gets its own answer.
describe('inference cache, coalesced across records in flight', () => {
  const schema = uniqueSqlName('coalesced_cache');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  const registry = new Registry();
  const cache = new InferenceCache(pool, { schema, ttlMs: 3_600_000, maxEntries: 10_000, pruneIntervalMs: 0, registry });
  const coalesced = new CoalescedCache(cache);
  const hashes = Array.from({ length: 60 }, (_, i) => inputHash({ i, amount: i * 3 }));

  beforeAll(async () => {
    await cache.migrate();
  });

  afterAll(async () => {
    await cache.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  /** How many statements of an op the cache ran (its duration histogram's count). */
  async function statements(op: 'get' | 'put'): Promise<number> {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'spine_inference_cache_query_duration_seconds');
    return metric?.values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count') && v.labels.op === op)?.value ?? 0;
  }

  it('writes and looks up concurrent records in a few statements, each record getting its own output', async () => {
    const putsBefore = await statements('put');
    await Promise.all(hashes.slice(0, 30).map((hash, i) => coalesced.put('fraud-lr', '1.0.0', hash, { score: i })));
    const puts = (await statements('put')) - putsBefore;
    expect(puts).toBeGreaterThanOrEqual(1);
    expect(puts).toBeLessThanOrEqual(2); // the first alone, the rest while it ran

    const getsBefore = await statements('get');
    const answers = await Promise.all(hashes.map((hash) => coalesced.get<{ score: number }>('fraud-lr', '1.0.0', hash, 3_600_000)));
    const gets = (await statements('get')) - getsBefore;
    expect(gets).toBeLessThanOrEqual(2);
    expect(answers.map((a) => a?.output.score ?? null)).toEqual(hashes.map((_, i) => (i < 30 ? i : null)));
  });

  it('keeps versions apart, and the same input asked twice at once is looked up once and answered to both', async () => {
    await coalesced.put('fraud-lr', '2.0.0', hashes[0]!, { score: 200 });
    const [v1, v2, again] = await Promise.all([
      coalesced.get<{ score: number }>('fraud-lr', '1.0.0', hashes[0]!, 3_600_000),
      coalesced.get<{ score: number }>('fraud-lr', '2.0.0', hashes[0]!, 3_600_000),
      coalesced.get<{ score: number }>('fraud-lr', '2.0.0', hashes[0]!, 3_600_000),
    ]);
    expect([v1?.output.score, v2?.output.score, again?.output.score]).toEqual([0, 200, 200]);
  });

  it('fails every record of a statement that failed, and the next records query again', async () => {
    const broken = new CoalescedCache(new InferenceCache(pool, { schema: uniqueSqlName('never_migrated'), ttlMs: 3_600_000, maxEntries: 10, pruneIntervalMs: 0, registry: new Registry() }));
    const outcomes = await Promise.allSettled(hashes.slice(0, 5).map((hash) => broken.get('fraud-lr', '1.0.0', hash, 3_600_000)));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(await coalesced.get<{ score: number }>('fraud-lr', '1.0.0', hashes[1]!, 3_600_000)).toMatchObject({ output: { score: 1 } });
  });
});
