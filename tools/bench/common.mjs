// Shared plumbing of the ./spine bench modes: errors, progress, the local stack's URLs (loopback only),
// unique prefixes, and a cleanup list that runs on success, failure and Ctrl-C alike.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATE_DIR } from '../lib/local-platform.mjs';
import { LOOPBACK_HOSTS } from '../lib/loopback.mjs';

export class BenchError extends Error {}

export const ROOT = join(import.meta.dirname, '..', '..');

// ---------------------------------------------------------------------------------------------------- output

const T0 = performance.now();
/** Seconds since the benchmark started, for log lines. */
export const elapsed = () => `${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s`;
/** One line on stderr (stdout is reserved for the summary). */
export const log = (line) => process.stderr.write(`${elapsed()}  ${line}\n`);

/** One progress line a second on stderr, from whatever the current phase says (set `status` to a function, or null). */
export class Progress {
  status = null;
  #timer = null;
  start() {
    this.#timer ??= setInterval(() => {
      if (!this.status) return;
      try {
        log(this.status());
      } catch {
        /* a status line must never break the run */
      }
    }, 1000);
    this.#timer.unref();
    return this;
  }
  stop() {
    clearInterval(this.#timer);
    this.#timer = null;
  }
}

// ---------------------------------------------------------------------------------------------------- stack

/** A value of the local stack's stack.env (what ./spine exports), for tools run without ./spine. */
function fromStackEnv(name) {
  try {
    const raw = new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(join(STATE_DIR, 'stack.env'), 'utf8'))?.[1];
    return raw?.trim().replace(/^(['"])(.*)\1$/, '$2');
  } catch {
    return undefined;
  }
}

/** KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL from the environment or the stack's stack.env; every host must be loopback. */
export function stackEnv() {
  const get = (name) => process.env[name]?.trim() || fromStackEnv(name);
  const brokers = get('KAFKA_BROKERS');
  const registry = get('SCHEMA_REGISTRY_URL');
  const database = get('DATABASE_URL');
  const missing = [!brokers && 'KAFKA_BROKERS', !registry && 'SCHEMA_REGISTRY_URL', !database && 'DATABASE_URL'].filter(Boolean);
  if (missing.length) {
    throw new BenchError(`${missing.join(', ')} not set and not in ${join(STATE_DIR, 'stack.env')}: start the local stack (./spine stack up, or ./spine up) or run through ./spine bench`);
  }
  for (const broker of brokers.split(',')) {
    const host = broker.trim().replace(/:\d+$/, '');
    if (!LOOPBACK_HOSTS.has(host)) throw new BenchError(`the benchmark only talks to the local stack, but KAFKA_BROKERS has ${broker}`);
  }
  for (const [name, url] of [['SCHEMA_REGISTRY_URL', registry], ['DATABASE_URL', database]]) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      throw new BenchError(`${name} is not a valid URL`);
    }
    if (!LOOPBACK_HOSTS.has(parsed.hostname) || parsed.searchParams.has('host')) {
      throw new BenchError(`the benchmark only talks to the local stack, but ${name} points at ${parsed.hostname || 'a socket/host parameter'}`);
    }
  }
  return { KAFKA_BROKERS: brokers, SCHEMA_REGISTRY_URL: registry, DATABASE_URL: database };
}

/** A topic prefix (and group/subject namespace) no other run uses: `bench-<mode>-<time><random>.` */
export function uniquePrefix(label) {
  return `bench-${label}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}.`;
}

/** A PostgreSQL schema name no other run uses. */
export function uniqueSqlName(label) {
  return `bench_${label}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

// ---------------------------------------------------------------------------------------------------- lifecycle

/**
 * What a run must undo (child processes, topics, groups, schemas), undone in reverse order, once, whatever
 * happens. SIGINT/SIGTERM mark the run aborted (loops check `aborted`); a second signal kills the children at once.
 */
export class Cleanup {
  #steps = [];
  #done = false;
  aborted = null;
  /** Synchronous last resorts (SIGKILL of children) for a second signal. */
  #emergency = new Set();

  constructor() {
    const onSignal = (signal) => {
      if (this.aborted) {
        for (const kill of this.#emergency) kill();
        process.exit(130);
      }
      this.aborted = signal;
      log(`${signal}: stopping, then cleaning up (send it again to quit at once)`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  /** Registers an async undo step; returns a function that runs it early (and only once). */
  add(what, fn) {
    const step = { what, fn, ran: false };
    this.#steps.push(step);
    return async () => {
      if (step.ran) return;
      step.ran = true;
      await fn();
    };
  }

  emergency(kill) {
    this.#emergency.add(kill);
    return () => this.#emergency.delete(kill);
  }

  /** Throws when the run was interrupted; call inside every wait loop. */
  check() {
    if (this.aborted) throw new BenchError(`interrupted (${this.aborted})`);
  }

  async run() {
    if (this.#done) return [];
    this.#done = true;
    const problems = [];
    for (const step of this.#steps.reverse()) {
      if (step.ran) continue;
      step.ran = true;
      try {
        await step.fn();
      } catch (err) {
        problems.push(`${step.what}: ${err?.message ?? err}`);
      }
    }
    for (const p of problems) log(`cleanup: ${p}`);
    return problems;
  }
}

/** Polls `probe` every `everyMs` until it returns a truthy value; fails with `what` (the fix included) after `timeoutMs`. */
export async function waitFor(probe, { timeoutMs, everyMs = 100, what, cleanup }) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    cleanup?.check();
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new BenchError(`${typeof what === 'function' ? what() : what} (waited ${Math.round(timeoutMs / 1000)} s)`);
    await sleep(everyMs);
  }
}

/** A comma-separated option as a list of allowed words. */
export function listOption(raw, allowed, name) {
  const items = String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !allowed.includes(i));
  if (!items.length || bad.length) throw new BenchError(`--${name} takes a comma-separated list of ${allowed.join(', ')}; got "${raw}"`);
  return [...new Set(items)];
}

/** A comma-separated option as a list of integers in [min, max]. */
export function intListOption(raw, min, max, name) {
  const items = String(raw).split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!items.length || items.some((n) => !Number.isInteger(n) || n < min || n > max)) throw new BenchError(`--${name} takes integers in [${min}, ${max}], comma-separated; got "${raw}"`);
  return items;
}

/** The whole chain of an error (kafkajs nests them): name: message ← cause ← … */
export function describeError(err) {
  const parts = [];
  const seen = new Set();
  for (let e = err; e && !seen.has(e) && parts.length < 5; e = e.originalError ?? e.cause) {
    seen.add(e);
    parts.push(`${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(e)}`);
  }
  return parts.join(' ← ');
}

/**
 * Strict command-line parsing of one mode's options (as tools/lib/options.mjs, but on the given args):
 * unknown options throw ERR_PARSE_ARGS_*, --help / -h prints the mode's usage and exits.
 */
export async function parseModeArgs(args, options, usage) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}
