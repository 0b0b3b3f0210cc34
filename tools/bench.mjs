#!/usr/bin/env node
// ./spine bench: a throughput and latency benchmark of the running pipeline (not a test). Posts N support messages
// in batches through the ingestion HTTP API, waits until the sink has stored every AI triage result in PostgreSQL (table ai_results),
// and reports ingestion throughput, end-to-end throughput and end-to-end latency percentiles (received -> stored).
// Needs the services of `./spine up`. Talks only to 127.0.0.1 (ingestion's HTTP API and the local PostgreSQL).
//   node tools/bench.mjs [--events N] [--batch B] [--concurrency C] [--customers K] [--timeout S] [--json]
// Progress goes to stderr; the summary (a Markdown block, or JSON with --json) to stdout.
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { INGESTION_URL, STATE_DIR, apiKeySource, readApiKey } from './lib/local-platform.mjs';
import { LOOPBACK_HOSTS } from './lib/loopback.mjs';
import { integerOptionReader, parseToolArgs } from './lib/options.mjs';
import { fmt, machine, percentile, round } from './lib/stats.mjs';

const EVENTS_URL = `${INGESTION_URL}/v1/events`;
const DB_SCHEMA = process.env.SPINE_DB_SCHEMA?.trim() || 'spine';
const MAX_BATCH = 500; // ingestion's MAX_EVENTS_PER_REQUEST
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_ATTEMPTS = 3; // per batch, only for 503 / timeouts; same eventIds, so a retry is idempotent
const POLL_INTERVAL_MS = 500;
const PROGRESS_INTERVAL_MS = 1000;

class BenchError extends Error {}

const USAGE = `usage: node tools/bench.mjs [options]     (./spine bench [options] after ./spine up)
  --events N       events to post (default 2000)
  --batch B        events per POST, 1..${MAX_BATCH} (default 100)
  --concurrency C  concurrent POSTs, 1..64 (default 4)
  --customers K    distinct customers the events are spread over (default 200)
  --timeout S      seconds to wait for all results after posting (default 60 + N/40)
  --json           print the summary as JSON`;

function parseOptions() {
  const values = parseToolArgs(
    {
      events: { type: 'string', default: '2000' },
      batch: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '4' },
      customers: { type: 'string', default: '200' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const int = integerOptionReader(values, BenchError);
  const events = int('events', 1, 1_000_000);
  const timeoutS = values.timeout === undefined ? Math.ceil(60 + events / 40) : int('timeout', 1, 86_400);
  return {
    events,
    batch: int('batch', 1, MAX_BATCH),
    concurrency: int('concurrency', 1, 64),
    customers: int('customers', 1, 1_000_000),
    timeoutMs: timeoutS * 1000,
    json: values.json,
  };
}

/** DATABASE_URL from the environment (./spine exports it), else from the local stack's stack.env; loopback only. */
function databaseUrl() {
  let url = process.env.DATABASE_URL;
  if (!url) {
    const envFile = join(STATE_DIR, 'stack.env');
    try {
      url = /^DATABASE_URL=(.*)$/m.exec(readFileSync(envFile, 'utf8'))?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2');
    } catch {
      /* reported below */
    }
    if (!url) throw new BenchError(`DATABASE_URL is not set and ${envFile} has none; run ./spine up first (or use ./spine bench)`);
  }
  let host;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new BenchError('DATABASE_URL is not a valid postgresql:// URL');
  }
  if (!LOOPBACK_HOSTS.has(host) || new URL(url).searchParams.has('host')) {
    throw new BenchError(`the benchmark only talks to the local stack, but DATABASE_URL points at ${host || 'a socket/host parameter'}`);
  }
  return url;
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

// ---------------------------------------------------------------------------------------------------- workload

const CHANNELS = ['EMAIL', 'CHAT', 'PHONE', 'SOCIAL'];
const TEMPLATES = [
  { subject: 'Charged twice', body: 'I was charged twice for order #{order}. Please refund the duplicate payment of ${amount} as soon as possible.', amount: true },
  { subject: 'Double charge AGAIN', body: 'This is the second time you double-charged my card for order #{order}. Absolutely unacceptable, fix it today or I dispute it with my bank.', amount: true },
  { subject: "Can't log in", body: "I can't log in to my account, the password reset email never arrives and now my account is locked." },
  { subject: 'Two-factor code not working', body: 'The 2FA code from the authenticator app is always rejected, so I am locked out of my account since this morning.' },
  { subject: 'Where is my package?', body: 'My order #{order} was due on Monday and the tracking has not moved for five days. Where is my package?', amount: true },
  { subject: 'Wrong delivery address', body: 'The courier says order #{order} was delivered, but not to my address. Can you check with the carrier please?' },
  { subject: 'Cancel subscription', body: 'Please cancel my subscription at the end of the billing period. The service is fine but we no longer need it.' },
  { subject: 'Cancelling our plan', body: 'We are cancelling our {seats}-seat enterprise plan because of the price increase. Please confirm and send the final invoice.', amount: true },
  { subject: 'Thank you!', body: 'Just wanted to say your support team is amazing, my issue was fixed in minutes. Love the product, thank you!' },
  { subject: 'Refund request', body: 'The item from order #{order} arrived damaged. I would like a full refund of ${amount} to my original payment method, not a replacement.', amount: true },
  { subject: 'App crashes on export', body: 'Bug report: the app crashes every time I export a report to PDF, error 500 after the spinner. Cleared cache, tried two browsers, still broken.' },
  { subject: 'Invoice question', body: 'My latest invoice shows a VAT line I did not expect. Could you explain how the tax was calculated and correct it if needed?', amount: true },
  { subject: null, body: 'Hi, do you ship to Norway and how long does delivery usually take? Thanks.' },
  { subject: 'Sync broken since update', body: 'Since the last update the mobile app no longer syncs with the desktop version. Nothing has synced for three days and my team is blocked.' },
];

function makeEvent(i, customers) {
  const t = TEMPLATES[randomInt(TEMPLATES.length)];
  const amount = `${randomInt(5, 2000)}.${String(randomInt(100)).padStart(2, '0')}`;
  const body = t.body
    .replace('{order}', String(40_000 + randomInt(60_000)))
    .replace('{amount}', amount)
    .replace('{seats}', String(randomInt(5, 200)));
  const event = {
    type: 'support.message',
    source: 'spine-bench',
    eventId: randomUUID(),
    customerId: `bench-c${String(randomInt(customers)).padStart(5, '0')}`,
    channel: CHANNELS[i % CHANNELS.length],
    body,
  };
  if (t.subject) event.subject = t.subject;
  if (t.amount) event.orderAmount = amount;
  return event;
}

// ---------------------------------------------------------------------------------------------------- posting

async function postBatch(events, key) {
  const body = JSON.stringify({ events });
  let lastProblem = '';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let res;
    try {
      res = await fetch(EVENTS_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const code = err?.cause?.code ?? err?.name;
      if (code === 'ECONNREFUSED') throw new BenchError(`ingestion is not reachable at ${EVENTS_URL} (ECONNREFUSED); run ./spine up first`);
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
      throw new BenchError(`API key rejected by ingestion (401: ${text}). The key came from ${apiKeySource()}; it must match the key the services were started with`);
    }
    if (res.status !== 503) throw new BenchError(`ingestion answered ${res.status} ${res.statusText}: ${text}`);
    lastProblem = `503 ${text}`;
    await sleep(500 * attempt);
  }
  throw new BenchError(`a batch failed ${MAX_ATTEMPTS} times (last: ${lastProblem}); see ./spine logs ingestion`);
}

// ---------------------------------------------------------------------------------------------------- output

function markdown(s) {
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
    `| Machine | ${s.machine.cores} cores ${s.machine.cpuModel}, ${fmt(s.machine.memoryGB, 1)} GB RAM, Node ${s.machine.node}, ${s.machine.os} |`,
    '',
    'Pipeline: ingestion → Kafka → enrichment (PostgreSQL features) → inference → sink (PostgreSQL), one process each, local single-broker Kafka.',
    'Events are posted as fast as ingestion accepts them, so under a burst larger than the pipeline drains per second the latency includes time queued in Kafka.',
  ];
  if (!s.complete) lines.push('', `**Incomplete:** ${s.pipeline.stored} of ${s.params.events} results were stored before the timeout.`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------- main

async function main() {
  const opts = parseOptions();
  const key = readApiKey(BenchError);
  const table = `${quoteIdent(DB_SCHEMA)}.ai_results`;
  const log = (line) => process.stderr.write(`${line}\n`);

  const db = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: 5000, statement_timeout: 30_000 });
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

    const events = Array.from({ length: opts.events }, (_, i) => makeEvent(i, opts.customers));
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
        `${opts.customers} customers → ${EVENTS_URL}; results from ${table}`,
    );

    // Progress: one line a second; while posting, the ticker also refreshes the stored count (one query at a time).
    const t0 = performance.now();
    const wallStart = Date.now();
    const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
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
      log(`${elapsed()}  posted ${posted}/${opts.events} · accepted ${accepted} · results ${stored}`);
    }, PROGRESS_INTERVAL_MS);

    let ingestEnd;
    try {
      // Workers take batches in order; every loop is bounded by the number of batches and the deadline.
      const postDeadline = performance.now() + opts.timeoutMs;
      let next = 0;
      let failure = null;
      const worker = async () => {
        while (failure === null && next < batches.length) {
          if (performance.now() > postDeadline) {
            failure ??= new BenchError(`posting did not finish within ${opts.timeoutMs / 1000} s`);
            break;
          }
          const batch = batches[next++];
          posted += batch.length;
          try {
            const r = await postBatch(batch, key);
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
      log(`${elapsed()}  all ${accepted} events accepted; waiting for the results (timeout ${opts.timeoutMs / 1000} s)`);

      // Wait for the sink: poll PostgreSQL every 500 ms, bounded by a deadline and a round count.
      phase = 'waiting';
      while (countInFlight) await sleep(10); // let the ticker's last count finish: one query at a time on this client
      if (countError) throw countError;
      const waitDeadline = performance.now() + opts.timeoutMs;
      const maxRounds = Math.ceil(opts.timeoutMs / POLL_INTERVAL_MS) + 1;
      for (let round = 0; round < maxRounds && (await countStored()) < opts.events && performance.now() < waitDeadline; round++) {
        await sleep(POLL_INTERVAL_MS);
      }
    } finally {
      clearInterval(ticker);
    }
    log(`${elapsed()}  results ${stored}/${opts.events}${stored < opts.events ? ' — TIMED OUT' : ''}`);

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

    const summary = {
      date: new Date(wallStart).toISOString(),
      complete: rows.length === opts.events,
      params: { events: opts.events, batch: opts.batch, concurrency: opts.concurrency, customers: opts.customers },
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
      machine: machine({ os: `${os.type()} ${os.release()} ${os.arch()}` }),
    };

    if (opts.json) console.log(JSON.stringify(summary, null, 2));
    else console.log(`\n${markdown(summary)}`);
    if (!summary.complete) {
      log(`spine bench: only ${rows.length} of ${opts.events} results within ${opts.timeoutMs / 1000} s; check ./spine status and ./spine logs`);
      process.exitCode = 1;
    }
  } finally {
    await db.end().catch(() => {});
  }
}

main().catch((err) => {
  if (err instanceof BenchError || err?.code?.startsWith?.('ERR_PARSE_ARGS')) console.error(`spine bench: ${err.message}`);
  else console.error('spine bench failed:', err);
  process.exitCode = 1;
});
