import type { Kafka } from 'kafkajs';
import { loadSchemaCatalog, type SchemaCatalog } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { spineTopology, type SpineTopology } from '@spine/topology';
import { kafkaFromEnv } from '../kafka/kafka-client.js';
import { KeyPartitioner } from '../kafka/partitioner.js';
import { SpineProducer } from '../kafka/producer.js';
import { TopicCodecs } from '../kafka/topic-codecs.js';
import { SpineMetrics } from '../ops/metrics.js';
import { jsonLog } from './logger.js';

/** Everything a Spine process shares: one Kafka client, one producer, the registry, codecs and metrics. */
export class SpineContext {
  private constructor(
    readonly service: string,
    readonly kafka: Kafka,
    readonly registry: RegistryClient,
    readonly serde: AvroSerde,
    readonly catalog: SchemaCatalog,
    readonly topology: SpineTopology,
    readonly codecs: TopicCodecs,
    readonly producer: SpineProducer,
    readonly partitioner: KeyPartitioner,
    readonly metrics: SpineMetrics,
    readonly log: ReturnType<typeof jsonLog>,
  ) {}

  static async create(service: string): Promise<SpineContext> {
    const kafka = kafkaFromEnv(`spine-${service}`);
    const registry = RegistryClient.fromEnv();
    const serde = new AvroSerde(registry);
    const catalog = await loadSchemaCatalog();
    const topology = spineTopology();
    const codecs = await TopicCodecs.create(topology, catalog, registry, serde);
    const partitioner = new KeyPartitioner(kafka.admin());
    await partitioner.start(topology.all.map((t) => t.name));
    const producer = new SpineProducer(kafka, codecs, partitioner);
    await producer.connect();
    return new SpineContext(service, kafka, registry, serde, catalog, topology, codecs, producer, partitioner, new SpineMetrics(), jsonLog(service));
  }
}
