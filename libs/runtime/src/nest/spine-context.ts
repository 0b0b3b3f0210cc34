import type { Kafka } from 'kafkajs';
import { loadSchemaCatalog, type SchemaCatalog } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { deploymentFromEnv, type Deployment, type TopicSpec } from '@spine/topology';
import { kafkaFromEnv } from '../kafka/kafka-client.js';
import { KeyPartitioner } from '../kafka/partitioner.js';
import { SpineProducer } from '../kafka/producer.js';
import { TopicCodecs } from '../kafka/topic-codecs.js';
import { SpineMetrics } from '../ops/metrics.js';
import { jsonLog } from './logger.js';

/**
 * Everything a Spine process shares: one Kafka client, one producer, the registry, codecs and metrics.
 * It knows no topology: topics are resolved as the service's stages (and `publishes`) ask for them.
 */
export class SpineContext {
  private constructor(
    readonly service: string,
    readonly deployment: Deployment,
    readonly kafka: Kafka,
    readonly registry: RegistryClient,
    readonly serde: AvroSerde,
    readonly catalog: SchemaCatalog,
    readonly codecs: TopicCodecs,
    readonly producer: SpineProducer,
    readonly partitioner: KeyPartitioner,
    readonly metrics: SpineMetrics,
    readonly log: ReturnType<typeof jsonLog>,
  ) {}

  static async create(service: string, publishes: readonly TopicSpec[] = []): Promise<SpineContext> {
    const deployment = deploymentFromEnv();
    const kafka = kafkaFromEnv(`spine-${service}`);
    const registry = RegistryClient.fromEnv();
    const serde = new AvroSerde(registry);
    const catalog = await loadSchemaCatalog();
    const codecs = new TopicCodecs(deployment, catalog, registry, serde);
    const published = await codecs.resolveAll(publishes);
    const partitioner = new KeyPartitioner(kafka.admin());
    await partitioner.start(published.map((c) => c.name));
    const producer = new SpineProducer(kafka, codecs, partitioner);
    await producer.connect();
    return new SpineContext(service, deployment, kafka, registry, serde, catalog, codecs, producer, partitioner, new SpineMetrics(), jsonLog(service));
  }
}
