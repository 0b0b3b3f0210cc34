#!/usr/bin/env node
// Delivery-design benchmark for Spine's stage runtime (not a test): measures consume-transform-produce under
//   a  at-least-once: idempotent producer, sendBatch(acks=-1) of a fetched batch's outputs, then consumer.commitOffsets
//      (what libs/runtime/src/stage/stage-runner.ts does, minus Avro and the per-key pool);
//   b  Kafka transactions: transactional producer, per fetched batch transaction() → sendBatch → sendOffsets → commit.
// It creates its own topics (bench-delivery-<random>-in, -out-a, -out-b; 6 partitions), produces N input records once,
// runs one consumer group per mode until every input has its output committed, then reads each output topic back
// (read_committed) to verify the count, duplicates and that no input was lost. Topics and groups are deleted at the
// end, also on failure or Ctrl-C. Talks only to the given brokers, which must be loopback.
//   node tools/bench-delivery.mjs [--records N] [--brokers H:P,...] [--modes a,b] [--json] ...   (--help for all)
// Progress goes to stderr, one line a second; the summary (Markdown, or JSON with --json) to stdout.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { LOOPBACK_HOSTS } from './lib/loopback.mjs';
import { integerOptionReader, parseToolArgs } from './lib/options.mjs';
import { fmt, machine, percentile, round } from './lib/stats.mjs';

const { Kafka, logLevel, Partitioners, CompressionTypes, ConfigResourceTypes } = kafkajs;

const PARTITIONS = 6;
const KEYS = 200;
const VALUE_BYTES = 300;
const INPUT_CHUNK = 500; // records per input sendBatch
const OUTPUT_CHUNK_BYTES = 768 * 1024; // a sendBatch stays below the broker's message.max.bytes (1 MiB) per partition
const PROGRESS_INTERVAL_MS = 1000;
const POLL_MS = 50;
const CLIENT_TIMEOUT_MS = 30_000; // any single connect / disconnect / admin call
const MODES = {
  a: 'at-least-once (idempotent producer, sendBatch acks=-1, then commitOffsets)',
  b: 'Kafka transactions (transactional producer, sendBatch + sendOffsets + commit per batch, read_committed)',
};

class BenchError extends Error {}

const USAGE = `usage: node tools/bench-delivery.mjs [options]
  --records N       input records to produce once and process per mode (default 20000)
  --brokers LIST    comma-separated host:port, loopback only (default $KAFKA_BROKERS or 127.0.0.1:9092)
  --modes LIST      modes to run, in order: a (at-least-once), b (transactions) (default a,b)
  --batch-bytes B   consumer maxBytesPerPartition, i.e. the fetched batch size (default 1048576, as stage-runner)
  --concurrency C   partitionsConsumedConcurrently (default 4, as stage-runner; mode b serialises
                    transactions on its single transactional producer)
  --retry-ms R      kafkajs retry.initialRetryTime (default 200, as libs/runtime/src/kafka/kafka-client.ts);
                    it is also the back-off after CONCURRENT_TRANSACTIONS in mode b
  --timeout S       deadline in seconds for each phase: produce, each mode, each verification (default 60 + N/100)
  --json            print the summary as JSON`;

// ---------------------------------------------------------------------------------------------------- options

function parseOptions() {
  const values = parseToolArgs(
    {
      records: { type: 'string', default: '20000' },
      brokers: { type: 'string', default: process.env.KAFKA_BROKERS?.trim() || '127.0.0.1:9092' },
      modes: { type: 'string', default: 'a,b' },
      'batch-bytes': { type: 'string', default: String(1024 * 1024) },
      concurrency: { type: 'string', default: '4' },
      'retry-ms': { type: 'string', default: '200' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const int = integerOptionReader(values, BenchError);
  const records = int('records', 1, 2_000_000);
  const modes = values.modes.split(',').map((m) => m.trim().toLowerCase()).filter(Boolean);
  if (!modes.length || modes.some((m) => !(m in MODES))) throw new BenchError(`--modes takes a comma-separated list of a and b, got "${values.modes}"`);
  if (new Set(modes).size !== modes.length) throw new BenchError(`--modes lists a mode twice: "${values.modes}"`);
  const brokers = values.brokers.split(',').map((b) => b.trim()).filter(Boolean);
  if (!brokers.length) throw new BenchError('--brokers is empty');
  for (const broker of brokers) {
    const host = broker.replace(/:\d+$/, '');
    if (!/:\d+$/.test(broker) || !LOOPBACK_HOSTS.has(host)) {
      throw new BenchError(`this benchmark only talks to a local broker; "${broker}" is not a loopback host:port (127.0.0.1, localhost, [::1])`);
    }
  }
  const timeoutS = values.timeout === undefined ? Math.ceil(60 + records / 100) : int('timeout', 1, 86_400);
  return {
    records,
    brokers,
    modes,
    batchBytes: int('batch-bytes', 1024, 64 * 1024 * 1024),
    concurrency: int('concurrency', 1, 64),
    retryMs: int('retry-ms', 1, 10_000),
    timeoutMs: timeoutS * 1000,
    json: values.json,
  };
}

// ---------------------------------------------------------------------------------------------------- helpers

const T0 = performance.now();
const log = (line) => process.stderr.write(`${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s ${line}\n`);

/** One progress line a second on stderr, describing whichever phase is running (each phase sets status). */
const progress = {
  status: null,
  timer: null,
  start() {
    this.timer = setInterval(() => this.status && log(`  ${this.status()}`), PROGRESS_INTERVAL_MS);
    this.timer.unref();
  },
  stop() {
    clearInterval(this.timer);
  },
};

/** Rejects when the promise has not settled within ms; the underlying operation is abandoned, not cancelled. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new BenchError(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The whole chain of a kafkajs error: name [type, code]: message ← cause ← … */
function describeError(err) {
  const parts = [];
  const seen = new Set();
  for (let e = err; e && !seen.has(e) && parts.length < 6; e = e.originalError ?? e.cause) {
    seen.add(e);
    const tags = [e.type, e.code !== undefined ? `code ${e.code}` : null].filter(Boolean).join(', ');
    parts.push(`${e.name ?? 'Error'}${tags ? ` [${tags}]` : ''}: ${e.message ?? String(e)}`);
  }
  return parts.join(' ← ');
}

function stats(samples) {
  const s = [...samples].sort((x, y) => x - y);
  return {
    n: s.length,
    p50: round(percentile(s, 50), 2),
    p99: round(percentile(s, 99), 2),
    max: round(s.at(-1) ?? null, 2),
    mean: s.length ? round(s.reduce((x, y) => x + y, 0) / s.length, 2) : null,
  };
}

function kafkajsVersion() {
  try {
    return createRequire(import.meta.url)('kafkajs/package.json').version;
  } catch {
    return 'unknown';
  }
}

/** A one-at-a-time lock: a transactional producer has at most one open transaction. */
function createLock() {
  let tail = Promise.resolve();
  return () => {
    let release;
    const acquired = tail.then(() => release);
    tail = new Promise((resolve) => (release = resolve));
    return acquired;
  };
}

/** Splits messages into chunks of at most maxBytes of key + value (at least one message each). */
function chunkByBytes(messages, maxBytes) {
  const chunks = [];
  let chunk = [];
  let bytes = 0;
  for (const m of messages) {
    const size = (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64;
    if (chunk.length && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += size;
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}

// ---------------------------------------------------------------------------------------------------- workload

const WORDS = ['invoice', 'refund', 'order', 'delivery', 'account', 'password', 'subscription', 'charged', 'twice', 'package', 'tracking', 'please', 'cancel', 'crash', 'export', 'sync', 'support', 'urgent'];

/** Input record seq: ~300-byte JSON value, one of 200 keys; seq lets the verification find lost inputs. */
function inputMessage(seq) {
  const key = `customer-${String(seq % KEYS).padStart(3, '0')}`;
  const text = Array.from({ length: 12 }, (_, i) => WORDS[(seq * 7 + i * 13) % WORDS.length]).join(' ');
  const base = { seq, key, ts: Date.now(), text };
  const room = VALUE_BYTES - JSON.stringify(base).length - ',"pad":""'.length;
  return { key, value: JSON.stringify({ ...base, pad: 'x'.repeat(Math.max(0, room)) }) };
}

/** The trivial stage: uppercase the text and append a field. */
function transform(message, mode) {
  const input = JSON.parse(message.value.toString('utf8'));
  const output = { ...input, text: input.text.toUpperCase(), triage: { mode, processedAt: Date.now() } };
  return { seq: input.seq, message: { key: message.key, value: Buffer.from(JSON.stringify(output)) } };
}

// ---------------------------------------------------------------------------------------------------- kafka

function createKafka(opts, kafkaLog) {
  const logCreator =
    () =>
    ({ level, log: entry }) => {
      if (level > logLevel.WARN) return;
      const { message, error, broker, logger: _logger, timestamp: _t, ...rest } = entry;
      const line = `${level === logLevel.ERROR ? 'ERROR' : 'WARN'} ${message}${error ? `: ${error}` : ''}`;
      const known = kafkaLog.get(line);
      kafkaLog.set(line, (known ?? 0) + 1);
      if (!known) log(`  kafkajs ${line}${broker ? ` (${broker})` : ''}${rest.groupId ? ` group ${rest.groupId}` : ''}`);
    };
  return new Kafka({
    clientId: 'spine-bench-delivery',
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator,
    // As libs/runtime/src/kafka/kafka-client.ts (retries 8), with the initial retry time an option.
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: opts.retryMs, retries: 8 },
  });
}

/** Every broker in the cluster metadata must be loopback, or we stop before producing anything. */
async function checkCluster(admin, opts) {
  let cluster;
  try {
    cluster = await withTimeout(admin.describeCluster(), CLIENT_TIMEOUT_MS, 'describeCluster');
  } catch (err) {
    throw new BenchError(`Kafka is not reachable at ${opts.brokers.join(',')} (${describeError(err)}); start it with: bash scripts/stack.sh up`);
  }
  const remote = cluster.brokers.filter((b) => !LOOPBACK_HOSTS.has(b.host));
  if (remote.length) throw new BenchError(`the cluster advertises non-loopback brokers (${remote.map((b) => `${b.host}:${b.port}`).join(', ')}); refusing to run`);
  const names = [
    'transaction.state.log.replication.factor',
    'transaction.state.log.min.isr',
    'transaction.state.log.num.partitions',
    'transaction.max.timeout.ms',
    'offsets.topic.replication.factor',
    'min.insync.replicas',
    'message.max.bytes',
    'group.coordinator.rebalance.protocols',
  ];
  const config = {};
  try {
    const described = await withTimeout(
      admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: String(cluster.controller ?? cluster.brokers[0].nodeId), configNames: names }] }),
      CLIENT_TIMEOUT_MS,
      'describeConfigs',
    );
    for (const entry of described.resources[0]?.configEntries ?? []) config[entry.configName] = entry.configValue;
  } catch (err) {
    config.error = describeError(err);
  }
  const problems = [];
  const rf = Number(config['transaction.state.log.replication.factor']);
  const minIsr = Number(config['transaction.state.log.min.isr']);
  if (rf > cluster.brokers.length) problems.push(`transaction.state.log.replication.factor=${rf} > ${cluster.brokers.length} broker(s): transactions cannot start`);
  if (minIsr > Math.min(rf || 1, cluster.brokers.length)) problems.push(`transaction.state.log.min.isr=${minIsr} cannot be met`);
  return { brokers: cluster.brokers.map((b) => `${b.host}:${b.port} (node ${b.nodeId})`), controller: cluster.controller, config, problems };
}

async function topicEnds(admin, topic) {
  const offsets = await withTimeout(admin.fetchTopicOffsets(topic), CLIENT_TIMEOUT_MS, `fetchTopicOffsets ${topic}`);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

// ---------------------------------------------------------------------------------------------------- phases

async function produceInput(kafka, opts, topic, state) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await withTimeout(producer.connect(), CLIENT_TIMEOUT_MS, 'input producer connect');
  const t0 = performance.now();
  const deadline = t0 + opts.timeoutMs;
  let sent = 0;
  progress.status = () => `produce  ${sent}/${opts.records} input records  ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  try {
    for (let start = 0; start < opts.records; start += INPUT_CHUNK) {
      if (state.aborted) throw new BenchError(`interrupted (${state.aborted})`);
      if (performance.now() > deadline) throw new BenchError(`producing the input did not finish within ${opts.timeoutMs / 1000} s`);
      const messages = [];
      for (let seq = start; seq < Math.min(opts.records, start + INPUT_CHUNK); seq++) messages.push(inputMessage(seq));
      await withTimeout(producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic, messages }] }), CLIENT_TIMEOUT_MS, 'input sendBatch');
      sent += messages.length;
    }
  } finally {
    progress.status = () => 'produce  disconnecting the input producer';
    await withTimeout(producer.disconnect(), CLIENT_TIMEOUT_MS, 'input producer disconnect').catch(() => {});
  }
  const seconds = (performance.now() - t0) / 1000;
  log(`  produce  ${sent}/${opts.records} input records in ${seconds.toFixed(2)} s`);
  return { records: sent, seconds: round(seconds, 3), recordsPerSecond: round(sent / seconds) };
}

/** Runs one consumer group over the input until every input record's output is committed (or the deadline). */
async function runMode(kafka, opts, mode, names, state) {
  const groupId = `${names.prefix}-${mode}`;
  const outTopic = names.out(mode);
  state.groups.push(groupId);
  const transactional = mode === 'b';
  const producer = transactional
    ? kafka.producer({
        transactionalId: `${names.prefix}-tx`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      })
    : kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  let crash = null;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 60_000,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: opts.batchBytes,
    readUncommitted: false,
    // A failed batch is retried twice, then the mode stops with the error instead of restarting forever.
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 3000, restartOnFailure: async () => false },
  });
  consumer.on(consumer.events.CRASH, (event) => {
    crash ??= event.payload.error;
  });

  const N = opts.records;
  const done = new Uint8Array(N);
  const m = { distinct: 0, outputs: 0, redelivered: 0, batches: 0, batchMs: [], produceMs: [], commitMs: [], lockWaitMs: [], batchSizes: [], firstBatchAt: null, lastCommitAt: null };
  const lock = createLock();

  const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    if (!batch.messages.length || !isRunning() || isStale()) return;
    m.firstBatchAt ??= performance.now();
    const { topic, partition } = batch;
    const transformed = batch.messages.map((message) => transform(message, mode));
    const chunks = chunkByBytes(
      transformed.map((t) => t.message),
      OUTPUT_CHUNK_BYTES,
    );
    const lastOffset = batch.messages.at(-1).offset;
    const next = (BigInt(lastOffset) + 1n).toString();
    let t0;
    let t1;
    let t2;
    if (!transactional) {
      t0 = performance.now();
      for (const messages of chunks) await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic: outTopic, messages }] });
      t1 = performance.now();
      resolveOffset(lastOffset);
      await consumer.commitOffsets([{ topic, partition, offset: next }]);
      t2 = performance.now();
    } else {
      const waitStart = performance.now();
      const release = await lock();
      let tx;
      try {
        if (!isRunning() || isStale()) return;
        t0 = performance.now();
        m.lockWaitMs.push(t0 - waitStart);
        tx = await producer.transaction();
        for (const messages of chunks) await tx.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic: outTopic, messages }] });
        t1 = performance.now();
        await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition, offset: next }] }] });
        await tx.commit();
        t2 = performance.now();
      } catch (err) {
        if (tx?.isActive()) await tx.abort().catch((abortErr) => log(`  ${mode}: abort failed too: ${describeError(abortErr)}`));
        state.txErrors.push(describeError(err));
        throw err;
      } finally {
        release();
      }
      resolveOffset(lastOffset);
    }
    m.batches++;
    m.batchSizes.push(batch.messages.length);
    m.batchMs.push(t2 - t0);
    m.produceMs.push(t1 - t0);
    m.commitMs.push(t2 - t1);
    m.outputs += transformed.length;
    for (const { seq } of transformed) {
      if (done[seq]) m.redelivered++;
      else {
        done[seq] = 1;
        m.distinct++;
      }
    }
    if (m.distinct === N) m.lastCommitAt ??= performance.now();
    await heartbeat();
  };

  const result = { mode, design: MODES[mode], groupId, outTopic, complete: false, error: null };
  const logBefore = new Map(state.kafkaLog);
  const started = performance.now();
  let runStart = null;
  progress.status = () => {
    const t = (performance.now() - started) / 1000;
    const rate = m.firstBatchAt ? m.distinct / ((performance.now() - m.firstBatchAt) / 1000) : 0;
    return `mode ${mode}   ${m.distinct}/${N} inputs committed · ${m.batches} batches · ${Math.round(rate)} rec/s · ${t.toFixed(1)} s`;
  };
  try {
    try {
      await withTimeout(producer.connect(), CLIENT_TIMEOUT_MS, `mode ${mode} producer connect${transactional ? ' (InitProducerId with transactionalId)' : ''}`);
    } catch (err) {
      if (transactional) state.txErrors.push(describeError(err));
      throw err;
    }
    await withTimeout(consumer.connect(), CLIENT_TIMEOUT_MS, `mode ${mode} consumer connect`);
    await withTimeout(consumer.subscribe({ topic: names.in, fromBeginning: true }), CLIENT_TIMEOUT_MS, `mode ${mode} subscribe`);
    runStart = performance.now();
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: opts.concurrency, eachBatch: handleBatch });
    const deadline = runStart + opts.timeoutMs;
    while (m.distinct < N) {
      if (crash) throw crash;
      if (state.aborted) throw new BenchError(`interrupted (${state.aborted})`);
      if (performance.now() > deadline) throw new BenchError(`mode ${mode}: only ${m.distinct} of ${N} inputs committed within ${opts.timeoutMs / 1000} s`);
      await sleep(POLL_MS);
    }
    result.complete = true;
  } catch (err) {
    result.error = describeError(err);
    log(`  mode ${mode} FAILED: ${result.error}`);
  } finally {
    progress.status = () => `mode ${mode}   stopping: the consumer finishes its in-flight fetch (up to maxWaitTime, 5 s), then leaves the group`;
    await withTimeout(consumer.disconnect(), CLIENT_TIMEOUT_MS, `mode ${mode} consumer disconnect`).catch((err) => log(`  ${describeError(err)}`));
    await withTimeout(producer.disconnect(), CLIENT_TIMEOUT_MS, `mode ${mode} producer disconnect`).catch((err) => log(`  ${describeError(err)}`));
  }
  const end = m.lastCommitAt ?? performance.now();
  const wallS = runStart === null ? null : (end - runStart) / 1000;
  const processingS = m.firstBatchAt === null ? null : (end - m.firstBatchAt) / 1000;
  log(`  mode ${mode}   ${m.distinct}/${N} inputs committed in ${wallS?.toFixed(2) ?? 'n/a'} s (${m.batches} batches)`);
  Object.assign(result, {
    inputsCommitted: m.distinct,
    outputsProduced: m.outputs,
    redelivered: m.redelivered,
    batches: m.batches,
    meanBatchSize: m.batches ? round(m.batchSizes.reduce((x, y) => x + y, 0) / m.batches, 1) : null,
    wallSeconds: round(wallS, 3),
    joinSeconds: runStart !== null && m.firstBatchAt !== null ? round((m.firstBatchAt - runStart) / 1000, 3) : null,
    recordsPerSecond: wallS ? round(m.distinct / wallS) : null,
    processingRecordsPerSecond: processingS ? round(m.distinct / processingS) : null,
    latencyMs: {
      batch: stats(m.batchMs), // outputs sent + offsets committed, per fetched batch
      produce: stats(m.produceMs), // the batch's sendBatch calls (b: inside the transaction)
      commit: stats(m.commitMs), // a: commitOffsets; b: sendOffsets + commit (EndTxn)
      ...(transactional ? { lockWait: stats(m.lockWaitMs) } : {}),
    },
  });
  // What kafkajs logged during this mode; CONCURRENT_TRANSACTIONS answers (the coordinator is still completing the
  // previous transaction) make kafkajs back off retry.initialRetryTime before retrying.
  result.kafkajsLog = [...state.kafkaLog].map(([line, count]) => ({ line, count: count - (logBefore.get(line) ?? 0) })).filter((e) => e.count > 0);
  result.concurrentTransactionsRetries = result.kafkajsLog
    .filter((e) => e.line.startsWith('ERROR Response ') && e.line.includes('concurrent operation on the same transaction'))
    .reduce((n, e) => n + e.count, 0);
  return result;
}

/**
 * Reads an output topic from the start with a fresh group (read_committed), to where the topic ends, and checks every
 * input seq has an output. The end is re-read once caught up, since transaction markers land just after commit returns.
 */
async function verify(kafka, admin, opts, mode, names, state) {
  const groupId = `${names.prefix}-verify-${mode}`;
  const topic = names.out(mode);
  state.groups.push(groupId);
  const N = opts.records;
  const seen = new Uint8Array(N);
  const v = { records: 0, distinct: 0, duplicates: 0, untransformed: 0, foreign: 0 };
  const position = new Map(); // partition -> last offset consumed (control records included)
  let crash = null;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false, sessionTimeout: 30_000, retry: { retries: 2, restartOnFailure: async () => false } });
  consumer.on(consumer.events.CRASH, (event) => {
    crash ??= event.payload.error;
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const last = BigInt(payload.lastOffset);
    if (last > (position.get(payload.partition) ?? -1n)) position.set(payload.partition, last);
  });
  const t0 = performance.now();
  progress.status = () => `verify ${mode} read ${v.records} records (${v.distinct}/${N} inputs)  ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const result = { mode, topic, isolation: 'read_committed', complete: false, error: null };
  try {
    let ends = await topicEnds(admin, topic);
    await withTimeout(consumer.connect(), CLIENT_TIMEOUT_MS, `verify ${mode} connect`);
    await withTimeout(consumer.subscribe({ topic, fromBeginning: true }), CLIENT_TIMEOUT_MS, `verify ${mode} subscribe`);
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          v.records++;
          let out;
          try {
            out = JSON.parse(message.value.toString('utf8'));
          } catch {
            v.foreign++;
            continue;
          }
          if (!Number.isInteger(out.seq) || out.seq < 0 || out.seq >= N) v.foreign++;
          else if (seen[out.seq]) v.duplicates++;
          else {
            seen[out.seq] = 1;
            v.distinct++;
          }
          if (out.triage?.mode !== mode || out.text !== out.text?.toUpperCase()) v.untransformed++;
        }
      },
    });
    const caughtUp = () => [...ends].every(([p, end]) => end === 0n || (position.get(p) ?? -1n) >= end - 1n);
    const deadline = t0 + opts.timeoutMs;
    for (;;) {
      if (crash) throw crash;
      if (state.aborted) throw new BenchError(`interrupted (${state.aborted})`);
      if (performance.now() > deadline) throw new BenchError(`verify ${mode}: not caught up with ${topic} within ${opts.timeoutMs / 1000} s (${v.records} records read)`);
      if (caughtUp()) {
        await sleep(200);
        const again = await topicEnds(admin, topic);
        if ([...again].every(([p, end]) => ends.get(p) === end)) break;
        ends = again;
      }
      await sleep(POLL_MS);
    }
    const outEnd = [...ends.values()].reduce((x, y) => x + y, 0n);
    const inEnds = await topicEnds(admin, names.in);
    const committed = await withTimeout(admin.fetchOffsets({ groupId: `${names.prefix}-${mode}`, topics: [names.in] }), CLIENT_TIMEOUT_MS, 'fetchOffsets');
    const committedByPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    Object.assign(result, {
      complete: true,
      records: v.records,
      distinctInputs: v.distinct,
      missingInputs: N - v.distinct,
      duplicates: v.duplicates,
      untransformed: v.untransformed,
      foreign: v.foreign,
      // log entries beyond the records read: transaction markers (b) or aborted records
      nonDataOffsets: Number(outEnd) - v.records,
      groupCommittedAtInputEnd: [...inEnds].every(([p, end]) => committedByPartition.get(p) === end),
      ok: v.distinct === N && v.foreign === 0 && v.untransformed === 0,
    });
    log(`  verify ${mode} ${v.records} records, ${v.distinct}/${N} inputs, ${v.duplicates} duplicates, offsets committed to input end: ${result.groupCommittedAtInputEnd}`);
  } catch (err) {
    result.error = describeError(err);
    log(`  verify ${mode} FAILED: ${result.error}`);
  } finally {
    progress.status = () => `verify ${mode} stopping the reader`;
    await withTimeout(consumer.disconnect(), CLIENT_TIMEOUT_MS, `verify ${mode} disconnect`).catch(() => {});
  }
  return result;
}

async function cleanup(admin, names, state) {
  const report = { topicsDeleted: [], groupsDeleted: [], errors: [] };
  progress.status = () => `cleanup  deleting topics ${names.prefix}-* and the benchmark's consumer groups`;
  try {
    const existing = new Set(await withTimeout(admin.listTopics(), CLIENT_TIMEOUT_MS, 'listTopics'));
    const topics = names.all.filter((t) => existing.has(t));
    if (topics.length) await withTimeout(admin.deleteTopics({ topics, timeout: 20_000 }), CLIENT_TIMEOUT_MS, 'deleteTopics');
    report.topicsDeleted = topics;
  } catch (err) {
    report.errors.push(`deleting topics: ${describeError(err)}`);
  }
  // A group can be briefly undeletable (coordinator loading after a broker restart, member still leaving): retry, bounded.
  let remaining = [...state.groups];
  let lastError = null;
  for (let attempt = 1; remaining.length && attempt <= 5; attempt++) {
    if (attempt > 1) await sleep(1000);
    try {
      const existing = new Set((await withTimeout(admin.listGroups(), CLIENT_TIMEOUT_MS, 'listGroups')).groups.map((g) => g.groupId));
      remaining = remaining.filter((g) => existing.has(g));
      if (!remaining.length) break;
      await withTimeout(admin.deleteGroups(remaining), CLIENT_TIMEOUT_MS, 'deleteGroups');
      report.groupsDeleted.push(...remaining);
      remaining = [];
    } catch (err) {
      const failed = (err.groups ?? []).filter((g) => g.errorCode !== 0 || g.error);
      if (failed.length) {
        const failedIds = new Set(failed.map((g) => g.groupId));
        report.groupsDeleted.push(...remaining.filter((g) => !failedIds.has(g)));
        remaining = remaining.filter((g) => failedIds.has(g));
        lastError = failed.map((g) => `${g.groupId}: ${g.error ? describeError(g.error) : `error code ${g.errorCode}`}`).join(', ');
      } else lastError = describeError(err);
    }
  }
  if (remaining.length) report.errors.push(`deleting groups ${remaining.join(', ')}: ${lastError}`);
  return report;
}

// ---------------------------------------------------------------------------------------------------- output

const lat = (s) => (s && s.n ? `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} ms (n=${s.n})` : 'n/a');

function markdown(s) {
  const lines = [
    `### Spine delivery benchmark — ${s.date.slice(0, 10)}, ${fmt(s.params.records)} records, modes ${s.params.modes.join(',')}`,
    '',
    `Input: ${s.topics.in} (${PARTITIONS} partitions), ${fmt(s.params.records)} × ~${VALUE_BYTES} B values over ${KEYS} keys, produced in ${fmt(s.input.seconds, 2)} s. ` +
      `Consumer: eachBatch, maxBytesPerPartition ${fmt(s.params.batchBytes)}, partitionsConsumedConcurrently ${s.params.concurrency}; kafkajs initialRetryTime ${s.params.retryMs} ms.`,
    '',
    '| Mode | Result | records/s (wall) | records/s (after join) | wall s | batches (mean size) | batch: produce+commit p50 / p99 | commit step p50 / p99 | produce step p50 / p99 |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of s.modes) {
    const l = r.latencyMs ?? {};
    lines.push(
      `| ${r.mode} | ${r.complete ? 'complete' : 'FAILED'} | **${fmt(r.recordsPerSecond)}** | ${fmt(r.processingRecordsPerSecond)} | ${fmt(r.wallSeconds, 2)} | ${fmt(r.batches)} (${fmt(r.meanBatchSize, 0)}) | ${lat(l.batch)} | **${lat(l.commit)}** | ${lat(l.produce)} |`,
    );
  }
  lines.push('', '| Mode | Verification (read_committed) |', '|---|---|');
  for (const r of s.modes) {
    const v = s.verification.find((x) => x.mode === r.mode);
    const text = !v
      ? 'not run'
      : v.error
        ? `FAILED: ${v.error}`
        : `${v.ok ? 'OK' : 'PROBLEM'}: ${fmt(v.records)} outputs read, ${fmt(v.distinctInputs)}/${fmt(s.params.records)} inputs present (${v.missingInputs} lost), ${v.duplicates} duplicates, ` +
          `${v.untransformed} untransformed, ${fmt(v.nonDataOffsets)} non-data offsets (markers), group offsets at input end: ${v.groupCommittedAtInputEnd ? 'yes' : 'NO'}`;
    lines.push(`| ${r.mode} | ${text} |`);
  }
  for (const r of s.modes) {
    if (r.mode === 'b' && r.batches) lines.push('', `Mode b: ${r.concurrentTransactionsRetries} CONCURRENT_TRANSACTIONS retries in ${r.batches} transactions (each waits kafkajs's retry back-off, ${s.params.retryMs} ms initial).`);
    if (r.error) lines.push('', `**Mode ${r.mode} error:** \`${r.error}\``);
  }
  if (s.transactionErrors.length) lines.push('', `**Transaction errors:** ${[...new Set(s.transactionErrors)].map((e) => `\`${e}\``).join('; ')}`);
  if (s.kafkajsLog.length) lines.push('', `kafkajs warnings/errors: ${s.kafkajsLog.map((e) => `${e.count}× ${e.line}`).join('; ')}`);
  const cfg = s.broker.config;
  lines.push(
    '',
    `Broker: ${s.broker.brokers.join(', ')}; transaction.state.log RF ${cfg['transaction.state.log.replication.factor'] ?? '?'}, min ISR ${cfg['transaction.state.log.min.isr'] ?? '?'}` +
      `${s.broker.problems.length ? ` — ${s.broker.problems.join('; ')}` : ''}. Machine: ${s.machine.cores} cores ${s.machine.cpuModel}, Node ${s.machine.node}.`,
    'Latencies are per fetched batch: "produce" = its sendBatch calls (acks=-1); "commit" = a: consumer.commitOffsets, b: sendOffsets + commit (EndTxn). ' +
      'records/s (wall) counts from consumer.run() (group join included) to the last commit.',
  );
  if (s.cleanup.errors.length) lines.push('', `**Cleanup problems:** ${s.cleanup.errors.join('; ')}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------- main

async function main() {
  const opts = parseOptions();
  const kafkaLog = new Map();
  const nodeWarnings = new Map();
  // kafkajs 2.2.4 on Node >= 23 schedules throttle timers with negative delays (TimeoutNegativeWarning); count, don't spam.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    nodeWarnings.set(w.name, (nodeWarnings.get(w.name) ?? 0) + 1);
    if (w.name !== 'TimeoutNegativeWarning') log(`  node ${w.name}: ${w.message}`);
  });

  const state = { aborted: null, groups: [], txErrors: [], kafkaLog };
  const onSignal = (signal) => {
    if (state.aborted) process.exit(130); // second signal: give up on cleanup
    state.aborted = signal;
    log(`  ${signal}: stopping, then deleting the benchmark topics (again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const id = randomBytes(4).toString('hex');
  const prefix = `bench-delivery-${id}`;
  const names = { prefix, in: `${prefix}-in`, out: (mode) => `${prefix}-out-${mode}` };
  names.all = [names.in, ...opts.modes.map(names.out)];

  progress.start();
  const kafka = createKafka(opts, kafkaLog);
  const admin = kafka.admin();
  const date = new Date().toISOString();
  log(`spine bench-delivery: ${opts.records} records, modes ${opts.modes.join(',')}, brokers ${opts.brokers.join(',')}, topics ${prefix}-*`);
  try {
    await withTimeout(admin.connect(), CLIENT_TIMEOUT_MS, 'admin connect');
  } catch (err) {
    throw new BenchError(`Kafka is not reachable at ${opts.brokers.join(',')} (${describeError(err)}); start it with: bash scripts/stack.sh up`);
  }

  let summary;
  let cleanupReport = { topicsDeleted: [], groupsDeleted: [], errors: ['not run'] };
  try {
    const broker = await checkCluster(admin, opts);
    for (const p of broker.problems) log(`  broker: ${p}`);
    const replicationFactor = Math.min(3, broker.brokers.length);
    await withTimeout(
      admin.createTopics({ waitForLeaders: true, timeout: 20_000, topics: names.all.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor })) }),
      CLIENT_TIMEOUT_MS,
      'createTopics',
    );
    const input = await produceInput(kafka, opts, names.in, state);
    const inputEnd = [...(await topicEnds(admin, names.in)).values()].reduce((x, y) => x + y, 0n);
    if (inputEnd !== BigInt(opts.records)) throw new BenchError(`the input topic holds ${inputEnd} records, expected ${opts.records}`);

    const modes = [];
    const verification = [];
    for (const mode of opts.modes) {
      if (state.aborted) break;
      log(`mode ${mode}: ${MODES[mode]}`);
      const result = await runMode(kafka, opts, mode, names, state);
      modes.push(result);
      if (state.aborted) break;
      verification.push(await verify(kafka, admin, opts, mode, names, state));
    }
    summary = {
      date,
      params: { records: opts.records, modes: opts.modes, brokers: opts.brokers, batchBytes: opts.batchBytes, concurrency: opts.concurrency, retryMs: opts.retryMs, timeoutS: opts.timeoutMs / 1000, partitions: PARTITIONS, keys: KEYS, valueBytes: VALUE_BYTES },
      topics: { in: names.in, out: Object.fromEntries(opts.modes.map((m) => [m, names.out(m)])) },
      input,
      modes,
      verification,
      transactionErrors: state.txErrors,
      broker,
      machine: machine({ kafkajs: kafkajsVersion() }),
    };
  } finally {
    cleanupReport = await cleanup(admin, names, state);
    if (cleanupReport.errors.length) for (const e of cleanupReport.errors) log(`  cleanup: ${e}`);
    else log(`  cleanup: deleted topics ${cleanupReport.topicsDeleted.join(', ') || '(none)'}; groups ${cleanupReport.groupsDeleted.join(', ') || '(none)'}`);
    await withTimeout(admin.disconnect(), CLIENT_TIMEOUT_MS, 'admin disconnect').catch(() => {});
    progress.stop();
  }

  summary.cleanup = cleanupReport;
  summary.kafkajsLog = [...kafkaLog].map(([line, count]) => ({ line, count }));
  summary.nodeWarnings = Object.fromEntries(nodeWarnings);
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  else console.log(`\n${markdown(summary)}`);
  const failed = summary.modes.some((r) => !r.complete) || summary.verification.some((v) => !v.ok) || summary.modes.length < opts.modes.length || cleanupReport.errors.length;
  if (state.aborted) process.exitCode = 130;
  else if (failed) process.exitCode = 1;
}

main().catch((err) => {
  if (err instanceof BenchError || err?.code?.startsWith?.('ERR_PARSE_ARGS')) console.error(`spine bench-delivery: ${err.message}`);
  else console.error('spine bench-delivery failed:', err);
  process.exitCode = 1;
});
