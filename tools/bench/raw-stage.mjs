#!/usr/bin/env node
// The raw kafkajs baseline of `./spine bench --mode stage`, run as its own process: an eachBatch loop that does
// what the Spine stage does, with nothing of the stage runtime around it —
//   decode (Confluent wire format, Spine's serde and registry client) -> the same handler code -> encode ->
//   sendBatch with acks=all on an idempotent producer -> commitOffsets, per fetched batch.
// Stages:
//   inference   the triage model's classify + toTriageResult (apps/inference/dist/triage-mapping.js), per record
//   enrichment  FeatureStore.applyAndReadAll (@spine/feature-store) once per fetched batch, toFeatureUpdate of the app
// Same Kafka client settings (kafkaFromEnv) and consumer tuning (consumerTuningFromEnv) as a Spine service.
// Configured only by environment (the bench sets it): BENCH_STAGE, BENCH_INPUT_TOPIC, BENCH_OUTPUT_TOPIC, BENCH_GROUP,
// BENCH_KEY_SCHEMA_ID, BENCH_VALUE_SCHEMA_ID (the output's registered ids), BENCH_DB_SCHEMA (enrichment), and the
// stack's KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL. Runs until SIGTERM; logs JSON lines to stdout.
import kafkajs from 'kafkajs';
import pg from 'pg';
import { consumerTuningFromEnv, kafkaFromEnv } from '@spine/runtime';
import { loadSchemaCatalog, requireSchema } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';

const { CompressionTypes } = kafkajs;
const env = process.env;
const say = (level, message, extra = {}) => console.log(JSON.stringify({ level, time: new Date().toISOString(), logger: 'raw-stage', message, ...extra }));

const need = (name) => {
  const v = env[name]?.trim();
  if (!v) {
    say('error', `${name} is not set; this process is started by tools/bench/stage.mjs`);
    process.exit(2);
  }
  return v;
};
const stageName = need('BENCH_STAGE');
const inputTopic = need('BENCH_INPUT_TOPIC');
const outputTopic = need('BENCH_OUTPUT_TOPIC');
const groupId = need('BENCH_GROUP');
const keySchemaId = Number(need('BENCH_KEY_SCHEMA_ID'));
const valueSchemaId = Number(need('BENCH_VALUE_SCHEMA_ID'));

const catalog = await loadSchemaCatalog();
const registry = RegistryClient.fromEnv();
const serde = new AvroSerde(registry);
const keyReader = requireSchema(catalog, 'common/entity-key').type;
const OUTPUT_CHUNK_BYTES = 768 * 1024; // one sendBatch stays under the broker's 1 MiB message.max.bytes

/** handle(values) -> one output value per input (or an Error for that record), in order. */
async function makeHandler() {
  if (stageName === 'inference') {
    const { loadTriageModel } = await import('@spine/triage-model');
    const { toTriageInput, toTriageResult } = await import('../../apps/inference/dist/triage-mapping.js');
    // The registry's default version, as the Spine service's model router serves it (no routing here: always the champion).
    const { supportTriage } = await import('@spine/platform');
    const model = await loadTriageModel({ version: supportTriage.stages.inference.model.defaultVersion });
    say('info', 'triage model loaded', { model: model.name, version: model.version });
    const info = { name: model.name, version: model.version, routing: 'CHAMPION', arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null };
    const answer = (v) => {
      const { model: _model, ...output } = model.classify(toTriageInput(v));
      return toTriageResult(v, output, { ...info, confidence: output.intentConfidence }, new Date());
    };
    return {
      reader: requireSchema(catalog, 'support-message-enriched').type,
      handle: async (values) => values.map(answer),
      keyOf: (v) => v.message.customerId,
      close: async () => {},
    };
  }
  if (stageName === 'enrichment') {
    const { FeatureStore } = await import('@spine/feature-store');
    const { toFeatureUpdate } = await import('../../apps/enrichment/dist/to-feature-update.js');
    const pool = new pg.Pool({ connectionString: need('DATABASE_URL'), application_name: 'spine-bench-raw-enrichment' });
    pool.on('error', (err) => say('warn', 'pg pool error', { error: err.message }));
    const store = new FeatureStore(pool, { schema: need('BENCH_DB_SCHEMA') });
    await store.migrate();
    return {
      reader: requireSchema(catalog, 'support-message-received').type,
      handle: async (values) => {
        const features = await store.applyAndReadAll(values.map(toFeatureUpdate));
        return values.map((message, i) => (features[i] instanceof Error ? features[i] : { message, features: features[i] }));
      },
      keyOf: (v) => v.customerId ?? v.message.customerId,
      close: () => pool.end(),
    };
  }
  say('error', `BENCH_STAGE must be inference or enrichment, got ${stageName}`);
  process.exit(2);
}

const handler = await makeHandler();
const tuning = consumerTuningFromEnv();
const kafka = kafkaFromEnv(`raw-${stageName}`);
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
const consumer = kafka.consumer({
  groupId,
  sessionTimeout: tuning.sessionTimeoutMs,
  heartbeatInterval: tuning.heartbeatIntervalMs,
  rebalanceTimeout: Math.max(60_000, tuning.sessionTimeoutMs * 2),
  allowAutoTopicCreation: false,
  maxBytesPerPartition: 1024 * 1024,
  minBytes: tuning.fetchMinBytes,
  maxWaitTimeInMs: tuning.fetchMaxWaitMs,
});
let failed = 0;

async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }) {
  if (!batch.messages.length || !isRunning() || isStale()) return;
  const values = [];
  const headers = [];
  for (const m of batch.messages) {
    await serde.decode(m.key, keyReader); // as the runtime's decode middleware: key and value
    values.push((await serde.decode(m.value, handler.reader)).value);
    const correlation = m.headers?.['x-correlation-id'];
    headers.push(correlation ? { 'x-correlation-id': correlation } : {});
  }
  const outputs = await handler.handle(values);
  const messages = [];
  for (let i = 0; i < outputs.length; i++) {
    if (outputs[i] instanceof Error) {
      failed++;
      continue;
    }
    const [key, value] = await Promise.all([serde.encode(keySchemaId, handler.keyOf(values[i])), serde.encode(valueSchemaId, outputs[i])]);
    messages.push({ key, value, headers: headers[i] });
  }
  for (let start = 0, bytes = 0, i = 0; i <= messages.length; i++) {
    const size = i < messages.length ? messages[i].key.length + messages[i].value.length + 64 : 0;
    if (i === messages.length || (i > start && bytes + size > OUTPUT_CHUNK_BYTES)) {
      if (i > start) await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic: outputTopic, messages: messages.slice(start, i) }] });
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  const last = batch.lastOffset();
  resolveOffset(last);
  await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
  await heartbeat();
}

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  say('info', `${signal} received: stopping`, { failed });
  try {
    await consumer.disconnect();
    await producer.disconnect();
    await handler.close();
    say('info', 'stopped cleanly');
    process.exit(0);
  } catch (err) {
    say('error', 'shutdown failed', { error: err.message });
    process.exit(1);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
process.removeAllListeners('warning');
process.on('warning', (w) => w.name !== 'TimeoutNegativeWarning' && say('warn', w.message));
consumer.on(consumer.events.GROUP_JOIN, (e) => say('info', 'joined consumer group', { group: groupId, assignment: e.payload.memberAssignment }));
consumer.on(consumer.events.CRASH, (e) => say('error', 'consumer crashed', { error: e.payload.error.message, restart: e.payload.restart }));

await producer.connect();
await consumer.connect();
await consumer.subscribe({ topics: [inputTopic], fromBeginning: true });
await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently, eachBatch });
say('info', 'raw stage running', { stage: stageName, input: inputTopic, output: outputTopic, group: groupId, tuning });
