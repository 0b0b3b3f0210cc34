import pg from 'pg';
import { Registry } from 'prom-client';
import { InferenceCache, inputHash, type InferenceCacheOptions } from '@spine/inference-cache';
import { uniqueSqlName } from '../harness/ids.js';

// Real PostgreSQL only: sharing between instances, TTL, eviction order and concurrent upserts are the database's
// doing, which a mock would only pretend to do.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is not set: source /var/tmp/spine-root/stack.env (or run through scripts/jest.mjs with the stack up)');

const schema = uniqueSqlName('inference_cache');
// Two pools: two instances of a stage, each with its own connections.
const poolA = new pg.Pool({ connectionString: databaseUrl, max: 4 });
const poolB = new pg.Pool({ connectionString: databaseUrl, max: 4 });
const caches: InferenceCache[] = [];
const HOUR = 3_600_000;
const T0 = Date.parse('2024-03-10T12:00:00.000Z');

interface Score {
  score: number;
  label: string;
  reasons: string[];
}
const score = (n: number): Score => ({ score: n / 1000, label: n % 2 ? 'FRAUD' : 'OK', reasons: [`r${n}`, 'amount'] });
const hashes = (n: number, salt = ''): string[] => Array.from({ length: n }, (_, i) => inputHash({ amount: i, salt, features: [i, i * 2] }));

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t), advance: (ms: number) => (now += ms) };
}

async function cache(options: Partial<InferenceCacheOptions> & { pool?: pg.Pool; migrate?: boolean } = {}): Promise<InferenceCache> {
  const { pool = poolA, migrate = true, ...rest } = options;
  const made = new InferenceCache(pool, { schema, ttlMs: HOUR, maxEntries: 10_000, pruneIntervalMs: 0, ...rest });
  caches.push(made);
  if (migrate) await made.migrate();
  return made;
}

async function rows(table: string): Promise<Array<{ model: string; version: string; input_hash: string }>> {
  const result = await poolA.query(`SELECT model, version, input_hash FROM "${schema}"."${table}" ORDER BY stored_at, input_hash`);
  return result.rows;
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  // A histogram's series are under its base name, each naming its own (…_count, …_sum, …_bucket).
  const values = (await registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })));
  const value = values.find((v) => v.name === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()));
  await poolA.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await Promise.all([poolA.end(), poolB.end()]);
});

describe('InferenceCache on PostgreSQL', () => {
  it('migrates idempotently, from several instances at once', async () => {
    const a = await cache({ migrate: false });
    const b = await cache({ pool: poolB, migrate: false });
    await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
    const indexes = await poolA.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'inference_cache' ORDER BY indexname`, [schema]);
    expect(indexes.rows.map((r: { indexname: string }) => r.indexname)).toEqual(['inference_cache_pkey', 'inference_cache_stored_at']);
  });

  it('misses, then hits with the stored output, and only for the hashes stored', async () => {
    const clock = manualClock();
    const c = await cache({ now: clock.now });
    const [h1, h2, h3] = hashes(3, 'miss-then-hit');
    expect((await c.getMany<Score>('fraud-lr', '1.0.0', [h1!, h2!])).size).toBe(0);
    await c.putMany('fraud-lr', '1.0.0', [{ hash: h1!, output: score(1) }, { hash: h2!, output: score(2) }]);
    clock.advance(1000);
    const found = await c.getMany<Score>('fraud-lr', '1.0.0', [h1!, h2!, h3!]);
    expect([...found.keys()].sort()).toEqual([h1, h2].sort());
    expect(found.get(h1!)).toEqual({ hash: h1, output: score(1), storedAt: new Date(T0) });
    expect(found.get(h2!)?.output).toEqual(score(2));
    expect(found.has(h3!)).toBe(false);
  });

  it('shares entries between two instances on two pools, and a rewrite replaces the output', async () => {
    const a = await cache();
    const b = await cache({ pool: poolB });
    const keys = hashes(50, 'shared');
    await a.putMany('triage', '2.1.0', keys.map((hash, i) => ({ hash, output: score(i) })));
    const seen = await b.getMany<Score>('triage', '2.1.0', keys);
    expect(seen.size).toBe(50);
    expect(keys.map((k) => seen.get(k)?.output)).toEqual(keys.map((_, i) => score(i)));
    await b.putMany('triage', '2.1.0', [{ hash: keys[0]!, output: score(999) }]);
    expect((await a.getMany<Score>('triage', '2.1.0', [keys[0]!])).get(keys[0]!)?.output).toEqual(score(999));
  });

  it('sends one statement per getMany and per putMany, whatever the batch size', async () => {
    const counted = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    let statements = 0;
    const query = counted.query.bind(counted) as (...args: unknown[]) => unknown;
    (counted as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements++;
      return query(...args);
    };
    try {
      const c = await cache({ pool: counted, table: 'counted_cache' });
      const keys = hashes(1000, 'one-statement');
      statements = 0;
      await c.putMany('m', '1', keys.map((hash, i) => ({ hash, output: score(i) })));
      expect(statements).toBe(1);
      statements = 0;
      expect((await c.getMany('m', '1', [...keys, ...keys.slice(0, 10)])).size).toBe(1000);
      expect(statements).toBe(1);
    } finally {
      await counted.end();
    }
  });

  it('never answers another model version or another model', async () => {
    const c = await cache();
    const [h] = hashes(1, 'versions');
    await c.putMany('fraud-lr', '1.0.0', [{ hash: h!, output: score(1) }]);
    expect((await c.getMany('fraud-lr', '1.1.0', [h!])).size).toBe(0);
    expect((await c.getMany('fraud-gbm', '1.0.0', [h!])).size).toBe(0);
    await c.putMany('fraud-lr', '1.1.0', [{ hash: h!, output: score(2) }]);
    expect((await c.getMany<Score>('fraud-lr', '1.0.0', [h!])).get(h!)?.output).toEqual(score(1));
    expect((await c.getMany<Score>('fraud-lr', '1.1.0', [h!])).get(h!)?.output).toEqual(score(2));
  });

  it('treats an entry older than the TTL as a miss, prune deletes it, and a rewrite makes it fresh again', async () => {
    const clock = manualClock();
    const c = await cache({ table: 'ttl_cache', ttlMs: 60_000, now: clock.now });
    const [old, young] = hashes(2, 'ttl');
    await c.putMany('m', '1', [{ hash: old!, output: score(1) }]);
    clock.advance(30_000);
    await c.putMany('m', '1', [{ hash: young!, output: score(2) }]);
    clock.advance(30_000); // old is exactly ttlMs old: still a hit
    expect((await c.getMany('m', '1', [old!, young!])).size).toBe(2);
    // A shorter per-call limit (a model version's own TTL) misses the older entry already.
    expect([...(await c.getMany('m', '1', [old!, young!], { maxAgeMs: 30_000 })).keys()]).toEqual([young]);
    clock.advance(1);
    const found = await c.getMany('m', '1', [old!, young!]);
    expect([...found.keys()]).toEqual([young]);
    // Expired but not yet pruned: a rewrite refreshes it.
    await c.putMany('m', '1', [{ hash: old!, output: score(3) }]);
    expect((await c.getMany<Score>('m', '1', [old!])).get(old!)?.output).toEqual(score(3));
    clock.advance(30_000); // young expires now, old (rewritten) does not
    expect(await c.prune()).toEqual({ expired: 1, evicted: 0 });
    expect((await rows('ttl_cache')).map((r) => r.input_hash)).toEqual([old]);
  });

  it('bounds the table to maxEntries over every model, evicting the oldest written first', async () => {
    const clock = manualClock();
    const c = await cache({ table: 'size_cache', maxEntries: 3, now: clock.now });
    const keys = hashes(6, 'size');
    // Written one by one, a second apart, alternating models: k0 is oldest.
    for (const [i, hash] of keys.slice(0, 5).entries()) {
      await c.putMany(i % 2 ? 'a' : 'b', '1', [{ hash, output: score(i) }]);
      clock.advance(1000);
    }
    await c.putMany('b', '1', [{ hash: keys[0]!, output: score(0) }]); // k0 rewritten: now the newest
    clock.advance(1000);
    expect(await c.prune()).toEqual({ expired: 0, evicted: 2 });
    expect((await rows('size_cache')).map((r) => r.input_hash)).toEqual([keys[3], keys[4], keys[0]]);
    expect(await c.prune()).toEqual({ expired: 0, evicted: 0 });
  });

  it('counts hits and misses per input hash, writes per entry, evictions per reason, query durations per op', async () => {
    const registry = new Registry();
    const clock = manualClock();
    const c = await cache({ table: 'metrics_cache', registry, maxEntries: 2, ttlMs: 10_000, now: clock.now });
    const [h1, h2, h3, h4] = hashes(4, 'metrics');
    await c.putMany('fraud-lr', '1.0.0', [{ hash: h1!, output: score(1) }, { hash: h2!, output: score(2) }, { hash: h1!, output: score(1) }]);
    await c.getMany('fraud-lr', '1.0.0', [h1!, h2!, h3!]);
    await c.getMany('fraud-lr', '1.0.0', [h3!, h1!]);
    await c.getMany('fraud-lr', '2.0.0', [h1!]);
    const requests = (version: string, outcome: string) => metric(registry, 'spine_inference_cache_requests_total', { model: 'fraud-lr', version, outcome });
    expect(await requests('1.0.0', 'hit')).toBe(3);
    expect(await requests('1.0.0', 'miss')).toBe(2);
    expect(await requests('2.0.0', 'miss')).toBe(1);
    expect(await requests('2.0.0', 'hit')).toBe(0);
    expect(await metric(registry, 'spine_inference_cache_writes_total', { model: 'fraud-lr', version: '1.0.0' })).toBe(2); // h1 given twice: one entry

    clock.advance(5_000);
    await c.putMany('fraud-lr', '1.0.0', [{ hash: h3!, output: score(3) }, { hash: h4!, output: score(4) }]);
    clock.advance(5_001); // h1, h2 expire; h3, h4 stay
    await c.putMany('fraud-lr', '1.0.0', [{ hash: h1!, output: score(1) }]); // three fresh entries, bound 2
    expect(await c.prune()).toEqual({ expired: 1, evicted: 1 });
    expect(await metric(registry, 'spine_inference_cache_evictions_total', { reason: 'expired' })).toBe(1);
    expect(await metric(registry, 'spine_inference_cache_evictions_total', { reason: 'size' })).toBe(1);
    const count = (op: string) => metric(registry, 'spine_inference_cache_query_duration_seconds_count', { op });
    expect([await count('get'), await count('put'), await count('prune')]).toEqual([3, 3, 1]);

    // A second cache on the same registry shares the metrics instead of failing to register them.
    const twin = await cache({ table: 'metrics_cache', registry, ttlMs: 10_000, now: clock.now });
    await twin.getMany('fraud-lr', '1.0.0', [h1!]);
    expect(await requests('1.0.0', 'hit')).toBe(4);
  });

  it('takes concurrent upserts of the same keys from two instances without failing', async () => {
    const a = await cache({ table: 'race_cache' });
    const b = await cache({ table: 'race_cache', pool: poolB, maxEntries: 100 });
    const keys = hashes(200, 'race');
    const batch = (seed: number) => {
      const shuffled = [...keys].sort((x, y) => (inputHash([x, seed]) < inputHash([y, seed]) ? -1 : 1));
      return [...shuffled, shuffled[0]!].map((hash) => ({ hash, output: score(seed) })); // and one hash twice
    };
    const writes = Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).putMany('llm', 'gpt-x', batch(i)));
    await Promise.all([...writes, a.prune(), b.prune(), b.prune()]);
    const stored = await a.getMany<Score>('llm', 'gpt-x', keys);
    expect(stored.size).toBeGreaterThanOrEqual(100);
    for (const entry of stored.values()) expect(entry.output.reasons).toEqual([expect.stringMatching(/^r\d+$/), 'amount']);
    await b.prune();
    expect((await rows('race_cache')).length).toBe(100);
  });

  it('stores outputs as JSON: nested values come back equal, Dates as ISO strings', async () => {
    const c = await cache();
    const [h1, h2, h3] = hashes(3, 'json');
    const nested = { probabilities: [0.1, 0.9], top: { label: 'x', nested: [[1], { deep: null }] }, unicode: 'é 🚀 "q"' };
    await c.putMany<unknown>('m', 'json', [
      { hash: h1!, output: nested },
      { hash: h2!, output: { at: new Date(T0) } },
      { hash: h3!, output: 0.30000000000000004 },
    ]);
    const found = await c.getMany('m', 'json', [h1!, h2!, h3!]);
    expect(found.get(h1!)?.output).toEqual(nested);
    expect(found.get(h2!)?.output).toEqual({ at: '2024-03-10T12:00:00.000Z' });
    expect(found.get(h3!)?.output).toBe(0.30000000000000004);
  });

  it('raises the database error as pg raises it, from getMany, putMany and prune', async () => {
    const missing = await cache({ table: 'never_migrated', migrate: false });
    await expect(missing.getMany('m', '1', hashes(1))).rejects.toMatchObject({ code: '42P01' });
    await expect(missing.putMany('m', '1', [{ hash: 'h', output: 1 }])).rejects.toMatchObject({ code: '42P01' });
    await expect(missing.prune()).rejects.toMatchObject({ code: '42P01' });
    const unreachable = new pg.Pool({ connectionString: 'postgresql://spine:spine@127.0.0.1:1/spine', connectionTimeoutMillis: 2_000 });
    try {
      const down = new InferenceCache(unreachable, { schema, ttlMs: HOUR, maxEntries: 10, pruneIntervalMs: 0 });
      await expect(down.getMany('m', '1', hashes(1))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await unreachable.end();
    }
  });

  it('prunes in the background, reports its errors to onError, and close() stops it', async () => {
    const clock = manualClock();
    const c = await cache({ table: 'timer_cache', ttlMs: 1000, now: clock.now, pruneIntervalMs: 25 });
    await c.putMany('m', '1', hashes(5, 'timer').map((hash) => ({ hash, output: 1 })));
    clock.advance(1001);
    await waitFor(async () => (await rows('timer_cache')).length === 0);
    await c.close();

    const errors: unknown[] = [];
    const broken = await cache({ table: 'timer_missing', migrate: false, pruneIntervalMs: 10, onError: (e) => errors.push(e) });
    await waitFor(async () => errors.length > 0);
    expect(errors[0]).toMatchObject({ code: '42P01' });
    await broken.close();
    const after = errors.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(errors.length).toBe(after);
  });

  it('refuses bad options and arguments, naming the field', async () => {
    const make = (o: Partial<InferenceCacheOptions>) => () => new InferenceCache(poolA, { ttlMs: HOUR, maxEntries: 10, pruneIntervalMs: 0, ...o });
    expect(make({ ttlMs: 0 })).toThrow('options.ttlMs must be a positive number');
    expect(make({ maxEntries: 1.5 })).toThrow('options.maxEntries must be a positive integer');
    expect(make({ pruneIntervalMs: -1 })).toThrow('options.pruneIntervalMs');
    expect(make({ schema: 'Bad-Schema' })).toThrow('Invalid schema "Bad-Schema"');
    const c = await cache();
    await expect(c.getMany('', '1', [])).rejects.toThrow('getMany: model must be a non-empty string');
    await expect(c.getMany('m', '1', ['ok', ''])).rejects.toThrow('getMany: hashes[1] must be a non-empty string');
    await expect(c.getMany('m', '1', ['ok'], { maxAgeMs: -1 })).rejects.toThrow('getMany: options.maxAgeMs must be a number');
    await expect(c.putMany('m', '1', [{ hash: 'h', output: undefined }])).rejects.toThrow('entries[0].output is undefined');
    await expect(c.putMany('m', '1', [{ hash: 'h', output: 1n }])).rejects.toThrow('entries[0].output cannot be stored as JSON');
    expect((await c.getMany('m', '1', [])).size).toBe(0);
  });

  it('measures getMany (256 hits) and putMany (256 entries): median of 50 runs', async () => {
    const c = await cache({ table: 'bench_cache' });
    const runs = 50;
    const keys = hashes(256, 'bench');
    const entries = (run: number) => keys.map((hash, i) => ({ hash, output: { score: (i * run) / 1e4, label: 'OK', probabilities: [0.25, 0.75], reasons: ['amount', 'velocity'] } }));
    const put: number[] = [];
    const get: number[] = [];
    for (let run = 0; run < runs; run++) {
      let t = performance.now();
      await c.putMany('bench', '1', entries(run));
      put.push(performance.now() - t);
      t = performance.now();
      const found = await c.getMany('bench', '1', keys);
      get.push(performance.now() - t);
      expect(found.size).toBe(256);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    process.stderr.write(`[inference-cache bench] getMany 256 hits: median ${median(get).toFixed(2)} ms; putMany 256 entries: median ${median(put).toFixed(2)} ms (${runs} runs)\n`);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
