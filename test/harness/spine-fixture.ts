import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { loadSchemaCatalog, type SchemaCatalog } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { domains, sinkStage, spinePlatform } from '@spine/platform';
import { provision, resolveTopic, type Deployment, type ResolvedTopic, type TopicSpec } from '@spine/topology';
import { KeyPartitioner, SpineProducer, TopicCodecs } from '@spine/runtime';
import { uniquePrefix } from './ids.js';
import { recentStageLog } from './stage-log.js';

type KeysOf<T> = T extends unknown ? keyof T & string : never;
type Domains = (typeof domains)[number];
/** Declaration keys of the registry's topics, and `<stage key>DeadLetters` for every stage's dead letters. */
export type FixtureTopicKey = KeysOf<Domains['topics']> | `${KeysOf<Domains['stages']> | 'sink'}DeadLetters`;

/** The registry's topics under one prefix, by declaration key (`supportMessages`, `enrichmentDeadLetters`, ...). */
export interface FixtureTopology {
  prefix: string;
  deployment: Deployment;
  topics: Record<FixtureTopicKey, ResolvedTopic>;
  all: ResolvedTopic[];
  /** The deployed topic of a declaration. */
  of(spec: TopicSpec): ResolvedTopic;
}

export function fixtureTopology(prefix: string, partitions: number): FixtureTopology {
  const deployment: Deployment = { prefix, partitions, replicationFactor: 1 };
  const all = spinePlatform.topics.map((t) => resolveTopic(t, deployment));
  const byName = new Map(all.map((t) => [t.spec.name, t]));
  const topics: Record<string, ResolvedTopic> = {};
  for (const domain of domains) {
    for (const [key, spec] of Object.entries(domain.topics)) topics[key] = byName.get(spec.name)!;
    for (const [key, stage] of Object.entries(domain.stages)) topics[`${key}DeadLetters`] = byName.get(stage.deadLetter.name)!;
  }
  topics.sinkDeadLetters = byName.get(sinkStage.deadLetter.name)!;
  const of = (spec: TopicSpec) => byName.get(spec.name) ?? resolveTopic(spec, deployment);
  return { prefix, deployment, topics: topics as Record<FixtureTopicKey, ResolvedTopic>, all, of };
}

export interface SpineFixture {
  prefix: string;
  kafka: Kafka;
  admin: Admin;
  registry: RegistryClient;
  serde: AvroSerde;
  catalog: SchemaCatalog;
  topology: FixtureTopology;
  codecs: TopicCodecs;
  /** Spine's own producer (idempotent, acks=all, client-side partitioning), connected. */
  producer: SpineProducer;
  partitioner: KeyPartitioner;
  close(): Promise<void>;
}

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING, retry: { retries: 5 } });
}

/** A fresh, provisioned topology under a unique prefix, on the real broker and registry. */
export async function provisionedFixture(label: string, partitions = 3): Promise<SpineFixture> {
  const prefix = uniquePrefix(label);
  const kafka = testKafka(`test-${label}`);
  const admin = kafka.admin();
  await admin.connect();
  const registry = RegistryClient.fromEnv();
  const serde = new AvroSerde(registry);
  const catalog = await loadSchemaCatalog();
  const topology = fixtureTopology(prefix, partitions);
  await provision(topology.all, { admin, registry, catalog });
  const codecs = new TopicCodecs(topology.deployment, catalog, registry, serde);
  await codecs.resolveAll(spinePlatform.topics);
  const partitioner = new KeyPartitioner(kafka.admin());
  await partitioner.start(topology.all.map((t) => t.name));
  const producer = new SpineProducer(kafka, codecs, partitioner);
  await producer.connect();
  return {
    prefix, kafka, admin, registry, serde, catalog, topology, codecs, producer, partitioner,
    close: async () => {
      await producer.disconnect();
      await partitioner.stop();
      await admin.deleteTopics({ topics: topology.all.map((t) => t.name) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/**
 * Reads `count` raw records from `topic` from the beginning, or fails after `timeoutMs` naming how far it got
 * (connected, joined, records read) and the stages' last log lines. Leaving the group is bounded too: a
 * consumer that will not disconnect is abandoned rather than left to hang the test.
 */
export async function readRaw(kafka: Kafka, topic: string, count: number, timeoutMs = 30_000) {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Math.random().toString(36).slice(2)}` });
  const records: Array<{ key: Buffer | null; value: Buffer | null; headers: Record<string, string>; partition: number; offset: string }> = [];
  let phase = 'connecting';
  consumer.on(consumer.events.GROUP_JOIN, () => (phase = 'joined the group, fetching'));
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`read ${records.length}/${count} records from ${topic} within ${timeoutMs} ms (the reader was ${phase})${recentStageLog()}`)), timeoutMs);
  });
  const reading = (async () => {
    await consumer.connect();
    phase = 'subscribing';
    await consumer.subscribe({ topic, fromBeginning: true });
    phase = 'joining its group';
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
            records.push({ key: message.key, value: message.value, headers, partition, offset: message.offset });
            if (records.length >= count) resolve();
          },
        })
        .catch(reject);
    });
  })();
  reading.catch(() => undefined); // settled by the race below; a late failure must not go unhandled
  try {
    await Promise.race([reading, expired]);
  } finally {
    clearTimeout(timer);
    const left = new AbortController();
    await Promise.race([
      consumer.disconnect().catch(() => undefined).finally(() => left.abort()),
      sleep(10_000, undefined, { signal: left.signal }).catch(() => undefined),
    ]);
  }
  return records;
}
