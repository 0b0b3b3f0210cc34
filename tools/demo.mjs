#!/usr/bin/env node
// ./spine demo: posts a handful of realistic CRM support messages to the running ingestion service, waits for the
// pipeline (enrichment -> inference -> sink) to store their AI triage, and prints the results as a table.
// Needs the services of `./spine up`. Talks only to 127.0.0.1 (ingestion and sink HTTP APIs).
//   node tools/demo.mjs [--timeout SECONDS]
import { setTimeout as sleep } from 'node:timers/promises';
import { INGESTION_URL, SINK_URL, apiKeySource, readApiKey } from './lib/local-platform.mjs';
import { parseToolArgs } from './lib/options.mjs';

const POLL_INTERVAL_MS = 500;
const REQUEST_TIMEOUT_MS = 10_000;

class DemoError extends Error {}

function parseOptions() {
  const values = parseToolArgs(
    { timeout: { type: 'string', default: '60' } },
    'usage: node tools/demo.mjs [--timeout SECONDS]   (default 60; ./spine demo runs this after ./spine up)',
  );
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600) throw new DemoError(`--timeout must be a number of seconds in (0, 3600], got ${values.timeout}`);
  return { timeoutMs: timeout * 1000 };
}

// A short run tag keeps each demo's customers fresh, so a re-run is not seen as the same customers chasing us
// (repeat contacts raise priority) and the table shows what one first message from each gets.
const RUN = Math.random().toString(36).slice(2, 6);
const hoursAgo = (h) => new Date(Date.now() - h * 3_600_000).toISOString();

const MESSAGES = [
  {
    customerId: `dana.kim-${RUN}`,
    channel: 'EMAIL',
    subject: 'Charged TWICE for the same order',
    body: 'This is unacceptable. I was charged twice for order #48213 — two identical payments of $129.90 left my card yesterday. I want the duplicate charge reversed today, not in 10 business days. Furious.',
    orderAmount: '129.90',
  },
  {
    customerId: `m.okafor-${RUN}`,
    channel: 'CHAT',
    subject: "Can't log in",
    body: "I can't log in to my account. The password reset email never arrives and now it says my account is locked after too many attempts. I need to download my invoices today.",
  },
  {
    customerId: `lucia.r-${RUN}`,
    channel: 'EMAIL',
    subject: "Where's my package?",
    body: 'Hi, my order #47702 was supposed to arrive on Monday and the tracking number has not updated in five days. Where is my package? Could you check with the carrier?',
    orderAmount: '64.00',
    occurredAt: hoursAgo(2),
  },
  {
    customerId: `northwind-procurement-${RUN}`,
    channel: 'PHONE',
    subject: 'Cancel our subscription',
    body: 'We want to cancel our subscription at the end of this month. We have 40 seats on the enterprise plan, but the price increase makes it hard to justify. Please confirm the cancellation and the final invoice.',
    orderAmount: '18400.00',
  },
  {
    customerId: `sam.patel-${RUN}`,
    channel: 'SOCIAL',
    body: 'Just wanted to say your support team is amazing! Jenna fixed my problem in five minutes and was so friendly. Love the product, thank you!',
  },
  {
    customerId: `h.nguyen-${RUN}`,
    channel: 'EMAIL',
    subject: 'Refund for damaged blender',
    body: 'The blender I ordered arrived with a cracked jar. I sent photos last week. I would like a refund to my original payment method, please — I do not want a replacement.',
    orderAmount: '89.99',
  },
  {
    customerId: `oliver.b-${RUN}`,
    channel: 'CHAT',
    subject: 'App crashes on export',
    body: 'Bug report: the app crashes every time I export a report to PDF. Error code 500 after the spinner. Tried Chrome and Firefox, cleared cache, still broken. This blocks our month-end close.',
  },
  {
    customerId: `grace.l-${RUN}`,
    channel: 'EMAIL',
    subject: 'Question about my invoice',
    body: 'Hello, my latest invoice shows a VAT line I did not expect. Could you explain how the tax was calculated and send a corrected invoice if it is wrong? Thanks.',
    orderAmount: '240.00',
  },
];

function connectionHint(service, url, err) {
  const code = err?.cause?.code ?? err?.code ?? err?.name;
  if (err?.name === 'TimeoutError') return `${service} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s at ${url}; check ./spine logs ${service}`;
  return `${service} is not reachable at ${url} (${code ?? err?.message}); run ./spine up first`;
}

async function call(service, url, init) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw new DemoError(connectionHint(service, url, err));
  }
}

async function bodyText(res) {
  const text = await res.text().catch(() => '');
  try {
    const json = JSON.parse(text);
    const issues = Array.isArray(json.issues) ? ` [${json.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}]` : '';
    return `${json.message ?? text}${issues}`;
  } catch {
    return text.slice(0, 500);
  }
}

function unauthorized(service, detail) {
  return new DemoError(`API key rejected by ${service} (401: ${detail}). The key came from ${apiKeySource()}; it must match the key the services were started with (./spine down && ./spine up restarts them with it)`);
}

async function postEvents(key) {
  const url = `${INGESTION_URL}/v1/events`;
  const events = MESSAGES.map((m) => ({ type: 'support.message', source: 'spine-demo', ...m }));
  const res = await call('ingestion', url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ events }),
  });
  if (res.status === 401) throw unauthorized('ingestion', await bodyText(res));
  if (res.status !== 202) throw new DemoError(`ingestion answered ${res.status} ${res.statusText}: ${await bodyText(res)}`);
  const { accepted } = await res.json();
  if (!Array.isArray(accepted) || accepted.length !== events.length) {
    throw new DemoError(`ingestion accepted ${accepted?.length ?? 'no'} of ${events.length} events`);
  }
  return accepted.map((a, i) => ({ ...a, message: events[i] }));
}

/** Polls the sink for every event until all results are stored or the deadline passes. Returns eventId -> result. */
async function waitForResults(key, accepted, timeoutMs) {
  const results = new Map();
  const started = Date.now();
  const deadline = started + timeoutMs;
  const maxRounds = Math.ceil(timeoutMs / POLL_INTERVAL_MS) + 1;
  process.stdout.write('Waiting for the AI triage results ');
  for (let round = 0; round < maxRounds && results.size < accepted.length && Date.now() < deadline; round++) {
    const pending = accepted.filter((a) => !results.has(a.eventId));
    await Promise.all(
      pending.map(async ({ eventId }) => {
        const url = `${SINK_URL}/v1/results/${eventId}`;
        const res = await call('sink', url, { headers: { authorization: `Bearer ${key}` } });
        if (res.status === 200) results.set(eventId, await res.json());
        else if (res.status === 401) throw unauthorized('sink', await bodyText(res));
        else if (res.status !== 404) throw new DemoError(`sink answered ${res.status} ${res.statusText} for ${eventId}: ${await bodyText(res)}`);
        else await res.body?.cancel();
      }),
    );
    process.stdout.write('.');
    if (results.size < accepted.length) await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())));
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(` ${results.size}/${accepted.length} in ${seconds} s\n\n`);
  return results;
}

function firstWords(text, max = 34) {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:—-]+$/, '')}…`;
}

function signed(n) {
  return `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(2)}`;
}

function printTable(accepted, results) {
  const header = ['customer', 'message', 'sentiment', 'intent', 'priority', 'model', 'e2e ms'];
  const rows = accepted.map(({ eventId, message }) => {
    const r = results.get(eventId);
    if (!r) return [message.customerId, firstWords(message.body), '(pending)', '', '', '', ''];
    const e2e = Date.parse(r.storedAt) - Date.parse(r.receivedAt);
    return [
      message.customerId,
      firstWords(message.body),
      `${r.sentiment.toLowerCase()} (${signed(r.sentimentScore)})`,
      `${r.intent} (${r.intentConfidence.toFixed(2)})`,
      r.priority,
      `${r.modelName}@${r.modelVersion}`,
      String(e2e),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const right = new Set([6]);
  const line = (cells) => cells.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main() {
  const { timeoutMs } = parseOptions();
  const key = readApiKey(DemoError);
  console.log(`Posting ${MESSAGES.length} support messages to ${INGESTION_URL}/v1/events`);
  const accepted = await postEvents(key);
  const idWidth = Math.max(...accepted.map((a) => a.message.customerId.length));
  for (const a of accepted) {
    const where = a.partition === null ? '' : ` partition ${a.partition} offset ${a.offset}`;
    console.log(`  accepted ${a.eventId}  ${a.message.customerId.padEnd(idWidth)}  → ${a.topic}${where}`);
  }
  console.log('');
  const results = await waitForResults(key, accepted, timeoutMs);
  printTable(accepted, results);
  if (results.size < accepted.length) {
    const missing = accepted.filter((a) => !results.has(a.eventId)).map((a) => a.eventId);
    throw new DemoError(
      `${missing.length} of ${accepted.length} results not stored within ${timeoutMs / 1000} s (${missing.join(', ')}); ` +
        'check ./spine status and ./spine logs (enrichment, inference, sink)',
    );
  }
  const e2e = accepted.map(({ eventId }) => {
    const r = results.get(eventId);
    return Date.parse(r.storedAt) - Date.parse(r.receivedAt);
  });
  console.log(`\nAll ${accepted.length} triaged; end-to-end (received → stored) ${Math.min(...e2e)}–${Math.max(...e2e)} ms.`);
}

main().catch((err) => {
  if (err instanceof DemoError || err?.code?.startsWith?.('ERR_PARSE_ARGS')) console.error(`\nspine demo: ${err.message}`);
  else console.error('\nspine demo failed:', err);
  process.exitCode = 1;
});
