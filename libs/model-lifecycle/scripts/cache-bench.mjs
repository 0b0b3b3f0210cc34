#!/usr/bin/env node
// The inference cache as model stages use it, one record at a time with several in flight (a partition's keys and
// other partitions): each record's own getMany/putMany, as before, vs CoalescedCache, on the same hashes, half of
// them stored. Reports records/s, PostgreSQL statements per record and this process's CPU per record.
//   npx tsc -b libs/model-lifecycle && set -a && source /var/tmp/spine-root/stack.env && set +a &&
//   node libs/model-lifecycle/scripts/cache-bench.mjs [--records 4000] [--in-flight 16] [--rounds 3]
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { InferenceCache, inputHash } from '@spine/inference-cache';
import { CoalescedCache } from '@spine/model-lifecycle';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const records = option('--records', 4_000);
const inFlight = option('--in-flight', 16);
const rounds = option('--rounds', 3);
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: source /var/tmp/spine-root/stack.env (./spine stack up)');

const schema = `bench_cache_${randomUUID().slice(0, 8)}`;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
const registry = new Registry();
const cache = new InferenceCache(pool, { schema, ttlMs: 3_600_000, maxEntries: 1_000_000, pruneIntervalMs: 0, registry });
await cache.migrate();
const coalesced = new CoalescedCache(cache);
const TTL = 3_600_000;

async function statements() {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'spine_inference_cache_query_duration_seconds');
  return metric.values.filter((v) => v.metricName?.endsWith('_count')).reduce((sum, v) => sum + v.value, 0);
}

/** `records` records, `inFlight` at a time: look up; on a miss, "call the model" and store the output. */
async function drain(label, version, lookUp, store) {
  const hashes = Array.from({ length: records }, (_, i) => inputHash({ label, version, i: i % (records / 2) }));
  const before = await statements();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let hits = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < hashes.length) {
      const hash = hashes[next++];
      const hit = await lookUp(version, hash);
      if (hit) hits++;
      else await store(version, hash, { score: hash.length });
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { label, perSecond: records / seconds, statementsPerRecord: ((await statements()) - before) / records, cpuUsPerRecord: (used.user + used.system) / records, hits };
}

const perRecord = (round) => drain('per-record', `pr-${round}`, async (v, h) => (await cache.getMany('bench', v, [h], { maxAgeMs: TTL })).get(h), (v, h, o) => cache.putMany('bench', v, [{ hash: h, output: o }]));
const coalescing = (round) => drain('coalesced', `co-${round}`, (v, h) => coalesced.get('bench', v, h, TTL), (v, h, o) => coalesced.put('bench', v, h, o));

const rows = [];
for (let round = 1; round <= rounds; round++) {
  const pair = round % 2 ? [await perRecord(round), await coalescing(round)] : [await coalescing(round), await perRecord(round)].reverse();
  const [base, mine] = pair;
  rows.push({ round, base, mine, ratio: mine.perSecond / base.perSecond, cpuRatio: base.cpuUsPerRecord / mine.cpuUsPerRecord });
  console.error(`round ${round}: per-record ${base.perSecond.toFixed(0)} rec/s (${base.statementsPerRecord.toFixed(2)} statements/rec, ${base.cpuUsPerRecord.toFixed(0)} µs CPU/rec); coalesced ${mine.perSecond.toFixed(0)} rec/s (${mine.statementsPerRecord.toFixed(2)} statements/rec, ${mine.cpuUsPerRecord.toFixed(0)} µs CPU/rec)`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\n${records} records, ${inFlight} in flight, half of them repeats (hits), ${rounds} rounds, alternating who goes first`);
console.log('| round | per-record rec/s | coalesced rec/s | coalesced / per-record | statements per record (per-record → coalesced) | CPU µs per record (per-record → coalesced) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.round} | ${r.base.perSecond.toFixed(0)} | ${r.mine.perSecond.toFixed(0)} | **${r.ratio.toFixed(2)}×** | ${r.base.statementsPerRecord.toFixed(2)} → ${r.mine.statementsPerRecord.toFixed(2)} | ${r.base.cpuUsPerRecord.toFixed(0)} → ${r.mine.cpuUsPerRecord.toFixed(0)} |`);
console.log(`| median | | | **${median(rows.map((r) => r.ratio)).toFixed(2)}×** | | |`);
await cache.close();
await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
await pool.end();
