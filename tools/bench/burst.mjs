// ./spine bench [--mode burst]: a throughput and latency benchmark of the whole pipeline (not a test). Posts N support
// messages in batches through the ingestion HTTP API, waits until the sink has stored every AI triage result in
// PostgreSQL (table ai_results), and reports ingestion throughput, end-to-end throughput, end-to-end latency
// percentiles (received -> stored) and the CPU every process of the pipeline spent per event (/proc).
// By default against the services of `./spine up`; --pipeline own starts a pipeline of its own on a unique prefix.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { INGESTION_URL, apiKeySource } from '../lib/local-platform.mjs';
import { fmt, machine, percentile, round } from '../lib/stats.mjs';
import { BenchError, Cleanup, intListOption, listOption, log, parseModeArgs, quoteIdent, stackEnv, uniquePrefix, uniqueSqlName } from './common.mjs';
import { cpuBreakdown, cpuMarkdown, pipelineSampler } from './pipeline-cpu.mjs';
import { allPlatformTopics, connectStack, provisionPrefix } from './platform.mjs';
import { OwnPipeline, RunningPipeline } from './services.mjs';
import { makeEvent } from './workload.mjs';

const MAX_BATCH = 500; // ingestion's MAX_EVENTS_PER_REQUEST
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_ATTEMPTS = 3; // per batch, only for 503 / timeouts; same eventIds, so a retry is idempotent
const POLL_INTERVAL_MS = 500;
const PROGRESS_INTERVAL_MS = 1000;

export const USAGE = `usage: ./spine bench [--mode burst] [options]     (node tools/bench.mjs [options] after ./spine up)
A burst of N support messages posted over HTTP as fast as ingestion accepts them; waits for every result in
the sink's PostgreSQL table ai_results. Reports ingestion and end-to-end throughput, latency received -> stored,
and the CPU of every pipeline process per event (Kafka, registry, all PostgreSQL processes, each service; /proc).
  --events N       events to post (default 2000)
  --batch B        events per POST, 1..${MAX_BATCH} (default 100)
  --concurrency C  concurrent POSTs, 1..64 (default 4)
  --customers K    distinct customers the events are spread over (default 200)
  --timeout S      seconds to wait for all results after posting (default 60 + N/40)
  --pipeline P     running: the services of ./spine up (default; pids from $SPINE_STATE_DIR/pids);
                   own: start ingestion, enrichment, inference and sink on a unique prefix, deleted afterwards
  --json           print the summary as JSON`;

const OPTIONS = {
  events: { type: 'string', default: '2000' },
  batch: { type: 'string', default: '100' },
  concurrency: { type: 'string', default: '4' },
  customers: { type: 'string', default: '200' },
  timeout: { type: 'string' },
  pipeline: { type: 'string', default: 'running' },
  json: { type: 'boolean', default: false },
};

async function parseOptions(args) {
  const values = await parseModeArgs(args, OPTIONS, USAGE);
  const int = (name, min, max) => intListOption(values[name], min, max, name)[0];
  const events = int('events', 1, 1_000_000);
  const timeoutS = values.timeout === undefined ? Math.ceil(60 + events / 40) : int('timeout', 1, 86_400);
  const [pipeline] = listOption(values.pipeline, ['running', 'own'], 'pipeline');
  return {
    events,
    batch: int('batch', 1, MAX_BATCH),
    concurrency: int('concurrency', 1, 64),
    customers: int('customers', 1, 1_000_000),
    timeoutMs: timeoutS * 1000,
    pipeline,
    json: values.json,
  };
}

// ---------------------------------------------------------------------------------------------------- posting

async function postBatch(url, events, key, keySource) {
  const body = JSON.stringify({ events });
  let lastProblem = '';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let res;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const code = err?.cause?.code ?? err?.name;
      if (code === 'ECONNREFUSED') throw new BenchError(`ingestion is not reachable at ${url} (ECONNREFUSED); run ./spine up first`);
      lastProblem = code === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : `${code ?? err.message}`;
      await sleep(500 * attempt);
      continue;
    }
    if (res.status === 202) {
      const { accepted } = await res.json();
      if (!Array.isArray(accepted) || accepted.length !== events.length) throw new BenchError(`ingestion accepted ${accepted?.length ?? 'no'} of ${events.length} events of a batch`);
      return { accepted: accepted.length, retries: attempt - 1 };
    }
    const raw = (await res.text().catch(() => '')).slice(0, 2000);
    let text = raw.slice(0, 500);
    try {
      const json = JSON.parse(raw);
      const issues = Array.isArray(json.issues) ? ` [${json.issues.slice(0, 5).map((i) => `${i.field}: ${i.message}`).join('; ')}]` : '';
      text = `${json.message ?? text}${issues}`;
    } catch {
      /* not JSON: keep the text */
    }
    if (res.status === 401) {
      throw new BenchError(`API key rejected by ingestion (401: ${text}). The key came from ${keySource}; it must match the key the services were started with`);
    }
    if (res.status !== 503) throw new BenchError(`ingestion answered ${res.status} ${res.statusText}: ${text}`);
    lastProblem = `503 ${text}`;
    await sleep(500 * attempt);
  }
  throw new BenchError(`a batch failed ${MAX_ATTEMPTS} times (last: ${lastProblem}); see ./spine logs ingestion`);
}

// ---------------------------------------------------------------------------------------------------- output

export function markdown(s) {
  const l = s.latencyMs;
  const lines = [
    `### Spine benchmark — ${s.date.slice(0, 10)}, ${fmt(s.params.events)} events${s.complete ? '' : ' (INCOMPLETE)'}`,
    '',
    '| Metric | Value |',
    '|---|---|',
    `| Workload | ${fmt(s.params.events)} support messages over HTTP, batches of ${s.params.batch}, ${s.params.concurrency} concurrent POSTs, ${fmt(s.params.customers)} customers |`,
    `| Ingestion throughput | **${fmt(s.ingestion.eventsPerSecond)} events/s** accepted (${fmt(s.ingestion.accepted)} in ${fmt(s.ingestion.seconds, 2)} s, ${s.ingestion.requests} POSTs${s.ingestion.retries ? `, ${s.ingestion.retries} retried` : ''}) |`,
    `| End-to-end throughput | **${fmt(s.pipeline.eventsPerSecond)} events/s** (${fmt(s.pipeline.stored)} results stored ${fmt(s.pipeline.seconds, 2)} s after the first POST) |`,
    `| End-to-end latency (received → stored) | p50 ${fmt(l.p50)} ms · p95 ${fmt(l.p95)} ms · p99 ${fmt(l.p99)} ms · max ${fmt(l.max)} ms |`,
    `| CPU per event (whole pipeline) | **${fmt(s.cpu?.total.msPerEvent, 2)} ms** (${fmt(s.cpu?.total.cpuSeconds, 1)} CPU s over ${fmt(s.cpu?.seconds, 1)} s; machine idle ${s.cpu?.machineIdle === null || s.cpu?.machineIdle === undefined ? 'n/a' : `${Math.round(s.cpu.machineIdle * 100)} %`}) |`,
    `| Machine | ${s.machine.cores} cores ${s.machine.cpuModel}, ${fmt(s.machine.memoryGB, 1)} GB RAM, Node ${s.machine.node}, ${s.machine.os} |`,
    '',
    `Pipeline (${s.params.pipeline === 'own' ? `started by the bench on prefix ${s.prefix}` : 'the services of ./spine up'}): ingestion → Kafka → enrichment (PostgreSQL features) → inference → sink (PostgreSQL), one process each, local single-broker Kafka.`,
    'Events are posted as fast as ingestion accepts them, so under a burst larger than the pipeline drains per second the latency includes time queued in Kafka.',
  ];
  if (s.cpu) {
    lines.push(
      '',
      cpuMarkdown(s.cpu),
      '',
      'CPU from /proc/<pid>/stat (utime+stime) between the first POST and the last stored result. Kafka, the registry and PostgreSQL are the shared local stack: ' +
        'whatever else uses them at the same time (other tests) is counted too; PostgreSQL = every postgres process, backends that exited included (the postmaster\'s reaped-children time).',
    );
  }
  if (!s.complete) lines.push('', `**Incomplete:** ${s.pipeline.stored} of ${s.params.events} results were stored before the timeout.`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------- main

export async function main(args) {
  const opts = await parseOptions(args);
  const env = stackEnv();
  const cleanup = new Cleanup();
  let stack;
  let pipeline;
  let prefix = null;
  try {
    if (opts.pipeline === 'own') {
      stack = await connectStack(env, 'spine-bench-burst');
      prefix = uniquePrefix('burst');
      log(`provisioning ${prefix}* and starting the pipeline's services`);
      await provisionPrefix(stack, cleanup, prefix, allPlatformTopics(), 6);
      pipeline = await new OwnPipeline({ prefix, dbSchema: uniqueSqlName('burst'), databaseUrl: env.DATABASE_URL, cleanup }).start();
    } else {
      pipeline = await new RunningPipeline(INGESTION_URL).start();
    }
    return await burst(opts, env, pipeline, cleanup, prefix);
  } finally {
    await cleanup.run();
    await stack?.close();
  }
}

async function burst(opts, env, pipeline, cleanup, prefix) {
  const key = pipeline.apiKey;
  const keySource = pipeline.kind === 'own' ? 'the bench (its own pipeline)' : apiKeySource();
  const eventsUrl = `${pipeline.ingestionUrl}/v1/events`;
  const table = `${quoteIdent(pipeline.dbSchema)}.ai_results`;

  const db = new pg.Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 5000, statement_timeout: 30_000 });
  db.on('error', () => {}); // a dropped connection surfaces as a failed query below
  try {
    await db.connect();
  } catch (err) {
    throw new BenchError(`PostgreSQL is not reachable (${err.code ?? err.message}); run ./spine up first`);
  }

  try {
    try {
      await db.query(`SELECT 1 FROM ${table} LIMIT 0`);
    } catch (err) {
      if (err.code === '42P01') throw new BenchError(`${table} does not exist yet (the sink creates it when it starts); run ./spine up first`);
      throw err;
    }

    const events = Array.from({ length: opts.events }, (_, i) => makeEvent(i, opts.customers, { mixed: false }));
    const ids = events.map((e) => e.eventId);
    const batches = [];
    for (let i = 0; i < events.length; i += opts.batch) batches.push(events.slice(i, i + opts.batch));

    let stored = 0;
    const countStored = async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE event_id = ANY($1::uuid[])`, [ids]);
      stored = Math.max(stored, rows[0].n);
      return stored;
    };

    log(
      `spine bench: ${opts.events} events in ${batches.length} batches of ≤${opts.batch}, ${opts.concurrency} concurrent POSTs, ` +
        `${opts.customers} customers → ${eventsUrl}; results from ${table}`,
    );

    const sampler = pipelineSampler(pipeline, 500).start();
    cleanup.add('cpu sampler', async () => sampler.stop());
    // Progress: one line a second; while posting, the ticker also refreshes the stored count (one query at a time).
    const t0 = performance.now();
    const wallStart = Date.now();
    let posted = 0;
    let accepted = 0;
    let retries = 0;
    let phase = 'posting';
    let countInFlight = false;
    let countError = null;
    const ticker = setInterval(() => {
      if (phase === 'posting' && !countInFlight) {
        countInFlight = true;
        countStored()
          .catch((err) => (countError = err))
          .finally(() => (countInFlight = false));
      }
      log(`posted ${posted}/${opts.events} · accepted ${accepted} · results ${stored}`);
    }, PROGRESS_INTERVAL_MS);

    let ingestEnd;
    try {
      // Workers take batches in order; every loop is bounded by the number of batches and the deadline.
      const postDeadline = performance.now() + opts.timeoutMs;
      let next = 0;
      let failure = null;
      const worker = async () => {
        while (failure === null && next < batches.length) {
          if (cleanup.aborted) failure ??= new BenchError(`interrupted (${cleanup.aborted})`);
          if (performance.now() > postDeadline) {
            failure ??= new BenchError(`posting did not finish within ${opts.timeoutMs / 1000} s`);
            break;
          }
          const batch = batches[next++];
          posted += batch.length;
          try {
            const r = await postBatch(eventsUrl, batch, key, keySource);
            accepted += r.accepted;
            retries += r.retries;
          } catch (err) {
            failure ??= err;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(opts.concurrency, batches.length) }, worker));
      if (failure) throw failure;
      ingestEnd = performance.now();
      log(`all ${accepted} events accepted; waiting for the results (timeout ${opts.timeoutMs / 1000} s)`);

      // Wait for the sink: poll PostgreSQL every 500 ms, bounded by a deadline and a round count.
      phase = 'waiting';
      while (countInFlight) await sleep(10); // let the ticker's last count finish: one query at a time on this client
      if (countError) throw countError;
      const waitDeadline = performance.now() + opts.timeoutMs;
      const maxRounds = Math.ceil(opts.timeoutMs / POLL_INTERVAL_MS) + 1;
      for (let r = 0; r < maxRounds && (await countStored()) < opts.events && performance.now() < waitDeadline; r++) {
        cleanup.check();
        await sleep(POLL_INTERVAL_MS);
      }
    } finally {
      clearInterval(ticker);
      sampler.stop();
    }
    log(`results ${stored}/${opts.events}${stored < opts.events ? ' — TIMED OUT' : ''}`);

    // Per-event latency from the rows themselves (microsecond timestamps), and when the last one was stored.
    const { rows } = await db.query(
      `SELECT (extract(epoch FROM stored_at - received_at) * 1000)::float8 AS ms,
              (extract(epoch FROM stored_at) * 1000)::float8 AS stored_ms
         FROM ${table} WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    const latencies = rows.map((r) => r.ms).sort((a, b) => a - b);
    const lastStoredMs = rows.reduce((max, r) => Math.max(max, r.stored_ms), -Infinity);
    const ingestSeconds = (ingestEnd - t0) / 1000;
    const pipelineSeconds = rows.length ? (lastStoredMs - wallStart) / 1000 : null;
    const cpu = rows.length ? cpuBreakdown(sampler, wallStart, lastStoredMs, rows.length) : null;

    const summary = {
      mode: 'burst',
      date: new Date(wallStart).toISOString(),
      complete: rows.length === opts.events,
      params: { events: opts.events, batch: opts.batch, concurrency: opts.concurrency, customers: opts.customers, pipeline: opts.pipeline },
      prefix,
      ingestion: {
        accepted,
        requests: batches.length,
        retries,
        seconds: round(ingestSeconds, 3),
        eventsPerSecond: round(accepted / ingestSeconds),
      },
      pipeline: {
        stored: rows.length,
        seconds: round(pipelineSeconds, 3),
        eventsPerSecond: pipelineSeconds ? round(rows.length / pipelineSeconds) : null,
      },
      latencyMs: {
        min: round(latencies[0] ?? null),
        mean: latencies.length ? round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : null,
        p50: round(percentile(latencies, 50)),
        p95: round(percentile(latencies, 95)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies.at(-1) ?? null),
      },
      cpu,
      machine: machine({ os: `${os.type()} ${os.release()} ${os.arch()}`, loadAverage: os.loadavg().map((x) => round(x, 2)) }),
    };

    if (opts.json) console.log(JSON.stringify(summary, null, 2));
    else console.log(`\n${markdown(summary)}`);
    if (!summary.complete) {
      log(`spine bench: only ${rows.length} of ${opts.events} results within ${opts.timeoutMs / 1000} s; check ./spine status and ./spine logs`);
      process.exitCode = 1;
    }
    return summary;
  } finally {
    await db.end().catch(() => {});
  }
}
