// ./spine bench --mode open-loop: latency at a fixed offered rate. Single support events, one per HTTP request,
// are sent on a fixed schedule (open loop: a send never waits for earlier answers) to ingestion; each result's
// received -> stored latency comes from the sink's ai_results rows. Each fetch-settings variant restarts the
// pipeline the bench runs on its own prefix (or uses the services of ./spine up with --pipeline running).
import http from 'node:http';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { consumerTuningFromEnv } from '@spine/runtime';
import { INGESTION_URL } from '../lib/local-platform.mjs';
import { fmt, machine, percentile, round } from '../lib/stats.mjs';
import { BenchError, Cleanup, Progress, intListOption, listOption, log, parseModeArgs, quoteIdent, stackEnv, uniquePrefix, uniqueSqlName } from './common.mjs';
import { cpuBreakdown, pipelineSampler } from './pipeline-cpu.mjs';
import { allPlatformTopics, connectStack, provisionPrefix } from './platform.mjs';
import { OwnPipeline, RunningPipeline } from './services.mjs';
import { makeEvent } from './workload.mjs';

const DEFAULTS = consumerTuningFromEnv({});
const VARIANTS = {
  current: { label: `current defaults (fetch min ${DEFAULTS.fetchMinBytes} B, max wait ${DEFAULTS.fetchMaxWaitMs} ms)`, env: { SPINE_FETCH_MIN_BYTES: null, SPINE_FETCH_MAX_WAIT_MS: null } },
  old: { label: 'old fetch settings (SPINE_FETCH_MIN_BYTES=65536 SPINE_FETCH_MAX_WAIT_MS=50)', env: { SPINE_FETCH_MIN_BYTES: '65536', SPINE_FETCH_MAX_WAIT_MS: '50' } },
};

export const USAGE = `usage: ./spine bench --mode open-loop [options]      (node tools/bench.mjs --mode open-loop ...)
Fixed-rate load: single support events, one per HTTP POST, sent on a fixed schedule whatever the answers (open
loop), for --seconds after a --warmup; reports the achieved rate, ingestion's 202 latency, received -> stored
latency p50/p90/p99 (sink's ai_results), and pipeline CPU per event. With --pipeline own (default) the bench runs
ingestion, enrichment, inference and sink on a unique prefix and schema (deleted afterwards), restarted per
--fetch variant; needs only the stack (./spine stack up).
  --rate LIST        events per second, comma-separated (default 200,500)
  --seconds S        measured seconds per rate (default 30)
  --warmup S         seconds at the same rate before measuring, excluded from the figures (default 3)
  --fetch LIST       current (the runtime's defaults: fetch min ${DEFAULTS.fetchMinBytes} B, max wait ${DEFAULTS.fetchMaxWaitMs} ms), old
                     (SPINE_FETCH_MIN_BYTES=65536 SPINE_FETCH_MAX_WAIT_MS=50) (default current,old; own pipeline only)
  --customers K      distinct customers (default 200)
  --drain-timeout S  seconds to wait for the last results after sending (default 120)
  --pipeline P       own (default) or running (the services of ./spine up, as they were started)
  --json             print the summary as JSON`;

const OPTIONS = {
  rate: { type: 'string', default: '200,500' },
  seconds: { type: 'string', default: '30' },
  warmup: { type: 'string', default: '3' },
  fetch: { type: 'string', default: 'current,old' },
  customers: { type: 'string', default: '200' },
  'drain-timeout': { type: 'string', default: '120' },
  pipeline: { type: 'string', default: 'own' },
  json: { type: 'boolean', default: false },
};

async function options(args) {
  const v = await parseModeArgs(args, OPTIONS, USAGE);
  const [pipeline] = listOption(v.pipeline, ['own', 'running'], 'pipeline');
  const fetchVariants = listOption(v.fetch, Object.keys(VARIANTS), 'fetch');
  if (pipeline === 'running' && args.some((a) => a === '--fetch' || a.startsWith('--fetch='))) {
    throw new BenchError('--fetch needs --pipeline own: the running services keep the settings ./spine up started them with');
  }
  return {
    rates: intListOption(v.rate, 1, 5000, 'rate'),
    seconds: intListOption(v.seconds, 1, 3600, 'seconds')[0],
    warmup: intListOption(v.warmup, 0, 600, 'warmup')[0],
    fetch: pipeline === 'running' ? ['running'] : fetchVariants,
    customers: intListOption(v.customers, 1, 1_000_000, 'customers')[0],
    drainTimeoutMs: intListOption(v['drain-timeout'], 1, 3600, 'drain-timeout')[0] * 1000,
    pipeline,
    json: v.json,
  };
}

/** SPINE_FETCH_* of a running process, from /proc/<pid>/environ (what ./spine up started it with). */
function fetchEnvOf(pid) {
  try {
    const env = Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const t = consumerTuningFromEnv(env);
    return `fetch min ${t.fetchMinBytes} B, max wait ${t.fetchMaxWaitMs} ms`;
  } catch {
    return 'settings unknown';
  }
}

/** Sends `events` one per POST at `rate`/s from now on, never waiting for answers; resolves when all have answered. */
async function sendOpenLoop({ url, key, events, rate, cleanup, onProgress }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const target = new URL(url);
  const sends = events.map(() => ({ due: 0, sent: 0, answered: 0, status: 0 }));
  let inFlight = 0;
  let maxInFlight = 0;
  let answered = 0;
  let errors = 0;
  let retried = 0;
  const errorKinds = new Map();
  const examples = [];
  let allAnswered;
  const done = new Promise((resolve) => (allAnswered = resolve));
  const fire = (i) => {
    const s = sends[i];
    const body = JSON.stringify(events[i]);
    s.sent = performance.now();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let finished = false;
    const finish = (status, kind) => {
      if (finished) return;
      finished = true;
      s.answered = performance.now();
      s.status = status;
      s.kind = status === 202 ? null : (kind ?? String(status));
      if (status !== 202) {
        errors++;
        errorKinds.set(kind ?? String(status), (errorKinds.get(kind ?? String(status)) ?? 0) + 1);
      }
      inFlight--;
      if (++answered === events.length) allAnswered();
    };
    const attempt = (n) => {
      let responded = false;
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, timeout: 30_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${key}` } },
        (res) => {
          responded = true;
          if (res.statusCode === 202 || examples.length >= 5) res.resume();
          else {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => examples.length < 5 && examples.push({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8').slice(0, 600), event: events[i] }));
          }
          res.on('end', () => finish(res.statusCode));
          res.on('error', (err) => finish(0, err.code ?? err.message));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 30 s'), { code: 'TIMEOUT' })));
      req.on('error', (err) => {
        // A kept-alive socket the server closed just as it was reused: the request never arrived; send it once more
        // (same eventId, so even a request that did arrive is deduplicated by ingestion).
        if (!responded && n === 0 && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          retried++;
          attempt(1);
        } else finish(0, err.code ?? err.message);
      });
      req.end(body);
    };
    attempt(0);
  };
  const start = performance.now();
  const interval = 1000 / rate;
  let next = 0;
  let maxLag = 0;
  const ticker = setInterval(() => onProgress?.({ sent: next, answered, inFlight, errors }), 1000);
  try {
    while (next < events.length) {
      cleanup.check();
      const now = performance.now();
      while (next < events.length && start + next * interval <= now) {
        const due = start + next * interval;
        sends[next].due = due;
        maxLag = Math.max(maxLag, now - due);
        fire(next++);
      }
      if (next < events.length) await sleep(Math.max(0, start + next * interval - performance.now()));
    }
    const deadline = performance.now() + 60_000;
    while (answered < events.length && performance.now() < deadline) {
      cleanup.check();
      await Promise.race([done, sleep(200)]);
    }
  } finally {
    clearInterval(ticker);
    agent.destroy();
  }
  if (answered < events.length) throw new BenchError(`${events.length - answered} POSTs unanswered 60 s after the last send; see the ingestion log`);
  return { sends, start, maxLagMs: maxLag, maxInFlight, errors, retried, errorKinds: Object.fromEntries(errorKinds), examples };
}

async function runCell({ opts, rate, variant, pipeline, db, cleanup, progress, cellIndex }) {
  const table = `${quoteIdent(pipeline.dbSchema)}.ai_results`;
  const warm = rate * opts.warmup;
  const measured = rate * opts.seconds;
  const events = Array.from({ length: warm + measured }, (_, i) => makeEvent(cellIndex * 1_000_000 + i, opts.customers));
  const ids = events.slice(warm).map((e) => e.eventId);
  const url = `${pipeline.ingestionUrl}/v1/events`;
  log(`${variant} @ ${rate}/s: ${warm} warm-up + ${measured} measured single-event POSTs to ${url}`);
  const sampler = pipelineSampler(pipeline, 500).start();
  const stopSampler = cleanup.add('cpu sampler', async () => sampler.stop());
  let phase = 'sending';
  let stored = 0;
  let lastProgress = { sent: 0, answered: 0, inFlight: 0, errors: 0 };
  progress.status = () =>
    phase === 'sending'
      ? `${variant} @ ${rate}/s: sent ${lastProgress.sent}/${events.length} · answered ${lastProgress.answered} · in flight ${lastProgress.inFlight}${lastProgress.errors ? ` · errors ${lastProgress.errors}` : ''}`
      : `${variant} @ ${rate}/s: waiting for results ${stored}/${ids.length}`;
  const wallStart = Date.now();
  const perfStart = performance.now();
  const sent = await sendOpenLoop({ url, key: pipeline.apiKey, events, rate, cleanup, onProgress: (p) => (lastProgress = p) });
  const m = sent.sends.slice(warm);
  for (const e of sent.examples) log(`  refused: ${e.status} ${e.body}${e.status === 429 ? ' — the running ingestion rate-limits this key: use --pipeline own, or restart it with SPINE_RATE_LIMIT_PER_SECOND=0' : ''}`);
  const accepted = m.filter((s) => s.status === 202).length;
  const acceptedIds = ids.filter((_, i) => m[i].status === 202);
  phase = 'draining';
  const deadline = performance.now() + opts.drainTimeoutMs;
  for (;;) {
    cleanup.check();
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE event_id = ANY($1::uuid[])`, [acceptedIds]);
    stored = rows[0].n;
    if (stored >= acceptedIds.length || performance.now() > deadline) break;
    await sleep(250);
  }
  await stopSampler();
  progress.status = null;
  const { rows } = await db.query(
    `SELECT (extract(epoch FROM stored_at - received_at) * 1000)::float8 AS ms, (extract(epoch FROM stored_at) * 1000)::float8 AS stored_ms
       FROM ${table} WHERE event_id = ANY($1::uuid[])`,
    [acceptedIds],
  );
  const lat = rows.map((r) => r.ms).sort((a, b) => a - b);
  const http202 = m.filter((s) => s.status === 202).map((s) => s.answered - s.sent).sort((a, b) => a - b);
  const firstSend = m[0].sent;
  const lastSend = m.at(-1).sent;
  const sendWindow = (lastSend - firstSend) / 1000;
  const lastAnswer = Math.max(...m.map((s) => s.answered));
  // Wall-clock instants of the measured window, for the CPU sampler (Date.now() based).
  const toWall = (perf) => wallStart + (perf - perfStart);
  const lastStored = rows.reduce((a, r) => Math.max(a, r.stored_ms), -Infinity);
  const cpu = rows.length ? cpuBreakdown(sampler, toWall(firstSend), Math.max(toWall(lastSend), lastStored), rows.length) : null;
  const cell = {
    variant,
    rate,
    measuredEvents: measured,
    sentPerSecond: round((m.length - 1) / sendWindow),
    acceptedPerSecond: round(accepted / ((lastAnswer - firstSend) / 1000)),
    accepted,
    rejected: m.length - accepted,
    retriedAfterConnectionReset: sent.retried,
    errorKinds: Object.fromEntries(
      [...m.reduce((acc, x) => (x.kind ? acc.set(x.kind, (acc.get(x.kind) ?? 0) + 1) : acc), new Map())],
    ),
    errorExamples: sent.examples,
    maxScheduleLagMs: round(sent.maxLagMs, 1),
    maxInFlight: sent.maxInFlight,
    http202Ms: { p50: round(percentile(http202, 50), 1), p99: round(percentile(http202, 99), 1) },
    stored: rows.length,
    complete: rows.length === accepted, // every accepted event has its result (refusals are reported apart)
    latencyMs: {
      p50: round(percentile(lat, 50)),
      p90: round(percentile(lat, 90)),
      p99: round(percentile(lat, 99)),
      max: round(lat.at(-1) ?? null),
      mean: lat.length ? round(lat.reduce((a, b) => a + b, 0) / lat.length) : null,
    },
    cpuMsPerEvent: cpu?.total.msPerEvent ?? null,
    coresBusy: cpu?.total.coresBusy ?? null,
    machineIdle: cpu?.machineIdle ?? null,
    cpu,
  };
  log(
    `${variant} @ ${rate}/s: sent ${cell.sentPerSecond}/s, accepted ${accepted}/${m.length}, stored ${rows.length}; received→stored p50 ${cell.latencyMs.p50} ms, p90 ${cell.latencyMs.p90} ms, p99 ${cell.latencyMs.p99} ms`,
  );
  return cell;
}

export function markdown(s) {
  const pct = (x) => (x === null || x === undefined ? 'n/a' : `${Math.round(x * 100)} %`);
  const lines = [
    `### Spine open-loop benchmark — ${s.date.slice(0, 10)}, ${s.params.seconds} s per rate (after ${s.params.warmup} s warm-up), one event per POST`,
    '',
    '| Fetch settings | Target rate | Achieved (sent / accepted per s) | 202 p50 / p99 | received → stored p50 | p90 | p99 | max | stored / accepted | pipeline CPU per event | machine idle |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of s.cells) {
    lines.push(
      `| ${s.variants[c.variant]} | ${fmt(c.rate)}/s | ${fmt(c.sentPerSecond)} / ${fmt(c.acceptedPerSecond)} | ${fmt(c.http202Ms.p50, 1)} / ${fmt(c.http202Ms.p99, 1)} ms | **${fmt(c.latencyMs.p50)} ms** | ${fmt(c.latencyMs.p90)} ms | **${fmt(c.latencyMs.p99)} ms** | ${fmt(c.latencyMs.max)} ms | ${fmt(c.stored)}/${fmt(c.accepted)}${c.complete ? '' : ' **MISSING RESULTS**'}${c.rejected ? ` (**${fmt(c.rejected)} refused**)` : ''} | ${fmt(c.cpuMsPerEvent, 2)} ms (${fmt(c.coresBusy, 2)} cores) | ${pct(c.machineIdle)} |`,
    );
  }
  lines.push(
    '',
    `Pipeline: ${s.params.pipeline === 'own' ? `ingestion → enrichment → inference → sink started by the bench on prefix ${s.prefix} (one process each), restarted per fetch setting` : 'the services of ./spine up'}; ` +
      `${fmt(s.params.customers)} customers. Latency = the sink's stored_at − the event's receivedAt (set by ingestion), from ai_results; "202" = the HTTP answer (after the broker's ack). ` +
      'Pipeline CPU per event = Kafka + registry + all PostgreSQL processes + the services, over the measured window (/proc).',
    `Machine: ${s.machine.cores} cores ${s.machine.cpuModel}, ${fmt(s.machine.memoryGB, 1)} GB RAM, Node ${s.machine.node}, ${s.machine.os}; load average at start ${s.machine.loadAverage.join(' / ')}.`,
  );
  const lagging = s.cells.filter((c) => c.maxScheduleLagMs > 50);
  if (lagging.length) lines.push('', `Note: the sender fell behind its schedule by up to ${fmt(Math.max(...lagging.map((c) => c.maxScheduleLagMs)))} ms at times (a busy machine); latency is measured from ingestion's receivedAt, so this does not bias it.`);
  const rejected = s.cells.filter((c) => c.rejected);
  for (const c of rejected) {
    lines.push('', `**${c.variant} @ ${c.rate}/s: ${fmt(c.rejected)} of ${fmt(c.measuredEvents)} POSTs not accepted** (${Object.entries(c.errorKinds).map(([k, n]) => `${n}× ${k}`).join(', ')})${c.errorKinds['503'] ? ': ingestion refuses (503) what Kafka does not acknowledge within its publish timeout — the offered rate is above what this machine absorbs' : ''}.`);
  }
  const resets = s.cells.reduce((a, c) => a + (c.retriedAfterConnectionReset ?? 0), 0);
  if (resets) lines.push('', `${resets} POSTs were sent a second time after a kept-alive connection was reset before any answer (same eventId).`);
  return lines.join('\n');
}

export async function main(args) {
  const opts = await options(args);
  const env = stackEnv();
  const cleanup = new Cleanup();
  const progress = new Progress().start();
  const date = new Date().toISOString();
  const loadAverage = os.loadavg().map((x) => round(x, 2));
  let stack;
  let prefix = null;
  const db = new pg.Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 5000, statement_timeout: 30_000 });
  db.on('error', () => {});
  const cells = [];
  const variants = {};
  try {
    try {
      await db.connect();
    } catch (err) {
      throw new BenchError(`PostgreSQL is not reachable (${err.code ?? err.message}); start the local stack: ./spine stack up`);
    }
    let own;
    if (opts.pipeline === 'own') {
      stack = await connectStack(env, 'spine-bench-open-loop');
      prefix = uniquePrefix('open-loop');
      log(`provisioning ${prefix}*`);
      await provisionPrefix(stack, cleanup, prefix, allPlatformTopics(), 6);
      own = new OwnPipeline({ prefix, dbSchema: uniqueSqlName('open_loop'), databaseUrl: env.DATABASE_URL, cleanup });
    }
    let cellIndex = 0;
    for (const variant of opts.fetch) {
      let pipeline;
      if (own) {
        variants[variant] = VARIANTS[variant].label;
        pipeline = await own.start(VARIANTS[variant].env);
      } else {
        pipeline = await new RunningPipeline(INGESTION_URL).start();
        variants[variant] = `as ./spine up started them (${fetchEnvOf(pipeline.pids().inference)})`;
      }
      try {
        for (const rate of opts.rates) cells.push(await runCell({ opts, rate, variant, pipeline, db, cleanup, progress, cellIndex: cellIndex++ }));
      } finally {
        await pipeline.stop();
      }
    }
  } finally {
    progress.status = () => 'cleaning up: stopping services, deleting topics, groups, subjects and the schema';
    await db.end().catch(() => {});
    await cleanup.run();
    await stack?.close();
    progress.stop();
  }
  const summary = {
    mode: 'open-loop',
    date,
    params: { rates: opts.rates, seconds: opts.seconds, warmup: opts.warmup, fetch: opts.fetch, customers: opts.customers, pipeline: opts.pipeline },
    prefix,
    variants,
    cells,
    machine: machine({ os: `${os.type()} ${os.release()} ${os.arch()}`, loadAverage }),
  };
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  else console.log(`\n${markdown(summary)}`);
  if (cells.some((c) => !c.complete)) process.exitCode = 1;
}
