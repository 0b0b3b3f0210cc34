// Kafka, registry and topology helpers of the bench modes: provision a unique prefix (and delete it again),
// watch a consumer group, count what a topic holds, read a topic back and decode it.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { spinePlatform } from '@spine/platform';
import { loadSchemaCatalog } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { provision, resolveTopic } from '@spine/topology';
import { KeyPartitioner, SpineProducer, TopicCodecs } from '@spine/runtime';
import { BenchError, describeError, log } from './common.mjs';

const { Kafka, logLevel } = kafkajs;

/** One connection to the stack for the whole run: a kafkajs client and admin, the registry, the serde, the schema catalog. */
export async function connectStack(env, clientId = 'spine-bench') {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const seen = new Set();
  const kafka = new Kafka({
    clientId,
    brokers: env.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 200 },
    logLevel: logLevel.ERROR,
    logCreator: () => ({ log: entry }) => {
      const line = `kafkajs: ${entry.message}${entry.error ? ` (${entry.error})` : ''}`;
      if (!seen.has(line)) {
        seen.add(line);
        log(line);
      }
    },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (err) {
    throw new BenchError(`Kafka is not reachable at ${env.KAFKA_BROKERS} (${describeError(err)}); start the local stack: ./spine stack up`);
  }
  const registry = new RegistryClient({ url: env.SCHEMA_REGISTRY_URL });
  const serde = new AvroSerde(registry);
  const catalog = await loadSchemaCatalog();
  return { env, kafka, admin, registry, serde, catalog, close: () => admin.disconnect().catch(() => {}) };
}

/**
 * Provisions `specs` (registry topic declarations) under `prefix` — topics, key/value subjects — like
 * `./spine provision` does for an empty prefix, and registers their deletion (topics, the prefix's groups and
 * subjects) with `cleanup`. Returns the deployment, the resolved topics, codecs and a started producer factory.
 */
export async function provisionPrefix(stack, cleanup, prefix, specs, partitions) {
  const deployment = { prefix, partitions, replicationFactor: 1 };
  const topics = specs.map((spec) => resolveTopic(spec, deployment));
  const extraTopics = [];
  cleanup.add(`delete prefix ${prefix}`, () => deletePrefix(stack, prefix, [...topics.map((t) => t.name), ...extraTopics]));
  try {
    await provision(topics, { admin: stack.admin, registry: stack.registry, catalog: stack.catalog });
  } catch (err) {
    throw new BenchError(`provisioning ${prefix}* failed (${describeError(err)}); is the schema registry up? ./spine stack status`);
  }
  const codecs = new TopicCodecs(deployment, stack.catalog, stack.registry, stack.serde);
  await codecs.resolveAll(specs);
  return {
    prefix,
    deployment,
    topics,
    codecs,
    name: (spec) => resolveTopic(spec, deployment).name,
    /** A plain topic under the prefix (a raw loop's output), deleted with the prefix. */
    async createTopic(name) {
      extraTopics.push(name);
      await stack.admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }] });
      return name;
    },
    /** Spine's own producer on these codecs (idempotent, acks=all, coalescing), connected; disconnected by cleanup. */
    async producer() {
      const partitioner = new KeyPartitioner(stack.kafka.admin());
      await partitioner.start(topics.map((t) => t.name));
      const producer = new SpineProducer(stack.kafka, codecs, partitioner);
      await producer.connect();
      const close = cleanup.add('producer disconnect', async () => {
        await producer.disconnect();
        await partitioner.stop();
      });
      return { producer, close };
    },
  };
}

/** Deletes the prefix's topics, consumer groups and registry subjects (best effort, bounded retries for groups). */
async function deletePrefix(stack, prefix, topicNames) {
  const { admin, env } = stack;
  const problems = [];
  try {
    const existing = new Set(await admin.listTopics());
    const topics = topicNames.filter((t) => existing.has(t) && t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 20_000 });
  } catch (err) {
    problems.push(`topics: ${describeError(err)}`);
  }
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
      if (!groups.length) break;
      await admin.deleteGroups(groups);
      break;
    } catch (err) {
      if (attempt === 5) problems.push(`groups: ${describeError(err)}`);
      await sleep(1000); // a member still leaving: its group is not empty yet
    }
  }
  try {
    const base = env.SCHEMA_REGISTRY_URL.replace(/\/$/, '');
    const subjects = (await (await fetch(`${base}/subjects`, { signal: AbortSignal.timeout(10_000) })).json()).filter((s) => s.startsWith(prefix));
    for (const subject of subjects) {
      const url = `${base}/subjects/${encodeURIComponent(subject)}`;
      await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
      await fetch(`${url}?permanent=true`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
    }
  } catch (err) {
    problems.push(`subjects: ${describeError(err)}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
}

/** Every registry topic a whole pipeline touches (ingestion routes every domain's types; the sink reads every result topic). */
export function allPlatformTopics() {
  return [...spinePlatform.topics];
}

/** The group's state and member count (Dead/Empty when nobody is in it). */
export async function groupState(admin, groupId) {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0];
  return { state: g?.state ?? 'Dead', members: g?.members?.length ?? 0, memberIds: (g?.members ?? []).map((m) => m.clientId + '/' + m.clientHost) };
}

/** Sum of a group's committed offsets on a topic (uncommitted partitions count 0). */
export async function committedTotal(admin, groupId, topic) {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** High watermarks of a topic: per partition and summed. */
export async function topicEnds(admin, topic) {
  const offsets = await admin.fetchTopicOffsets(topic);
  const byPartition = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  return { byPartition, total: [...byPartition.values()].reduce((a, b) => a + b, 0) };
}

/**
 * Reads a topic back from `from` (per-partition offsets; default the beginning) up to its ends at the time of
 * the call, decoding each value with the registry. Returns the records count, distinct event ids (duplicates
 * = records - distinct), and the earliest/latest record timestamps (CreateTime, ms).
 * `eventIdOf(value)` picks the id from a decoded value (default value.metadata.eventId).
 */
export async function readBack(stack, topic, { from = new Map(), groupPrefix, eventIdOf = (v) => v.metadata?.eventId, timeoutMs = 120_000, cleanup } = {}) {
  const { kafka, admin, serde } = stack;
  const ends = (await topicEnds(admin, topic)).byPartition;
  const wanted = [...ends].filter(([p, end]) => end > (from.get(p) ?? 0));
  const result = { records: 0, distinct: 0, duplicates: 0, undecodable: 0, firstTs: null, lastTs: null, perPartition: {} };
  if (!wanted.length) return result;
  const ids = new Set();
  const seenTo = new Map();
  const groupId = `${groupPrefix}bench-reader-${randomBytes(3).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024, minBytes: 1, maxWaitTimeInMs: 200 });
  let crash = null;
  consumer.on(consumer.events.CRASH, (e) => (crash ??= e.payload.error));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const start = from.get(batch.partition) ?? 0;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset < start) continue;
          result.records++;
          result.perPartition[batch.partition] = (result.perPartition[batch.partition] ?? 0) + 1;
          const ts = Number(m.timestamp);
          result.firstTs = result.firstTs === null ? ts : Math.min(result.firstTs, ts);
          result.lastTs = result.lastTs === null ? ts : Math.max(result.lastTs, ts);
          try {
            const { value } = await serde.decode(m.value);
            ids.add(String(eventIdOf(value)));
          } catch {
            result.undecodable++;
          }
        }
        const last = Number(batch.lastOffset());
        if (last > (seenTo.get(batch.partition) ?? -1)) seenTo.set(batch.partition, last);
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!wanted.every(([p, end]) => (seenTo.get(p) ?? -1) >= end - 1)) {
      cleanup?.check();
      if (crash) throw crash;
      if (Date.now() > deadline) throw new BenchError(`reading ${topic} back did not finish within ${timeoutMs / 1000} s (${result.records} records read)`);
      await sleep(50);
    }
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  result.distinct = ids.size;
  result.duplicates = result.records - result.undecodable - ids.size;
  return result;
}
