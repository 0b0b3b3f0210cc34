import type { Kafka } from 'kafkajs';
import { Gauge } from 'prom-client';
import { loadSchemaCatalog, type SchemaCatalog } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { deploymentFromEnv, type Deployment, type TopicSpec } from '@spine/topology';
import { BrokerHealth } from '../kafka/broker-health.js';
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
    /** Whether Kafka answers now (probed); readiness and ingestion's fast 503s read it. */
    readonly broker: BrokerHealth,
    /** Resolves once Kafka was reached and the producer connected; a process starts before that and waits. */
    readonly kafkaReady: Promise<void>,
  ) {}

  /** Nest calls this on shutdown (the context is a provider): stops probing Kafka. */
  async onApplicationShutdown(): Promise<void> {
    await this.broker.stop();
  }

  static async create(service: string, publishes: readonly TopicSpec[] = []): Promise<SpineContext> {
    const deployment = deploymentFromEnv();
    const kafka = kafkaFromEnv(`spine-${service}`);
    const registry = RegistryClient.fromEnv();
    const serde = new AvroSerde(registry);
    const catalog = await loadSchemaCatalog();
    const codecs = new TopicCodecs(deployment, catalog, registry, serde);
    const published = await codecs.resolveAll(publishes);
    const partitioner = new KeyPartitioner(kafka.admin());
    const producer = new SpineProducer(kafka, codecs, partitioner);
    const log = jsonLog(service);
    // Kafka may not be up yet: connect in the background, retrying with a log line per attempt, so the service
    // starts (ops endpoints answer, not ready) instead of exiting. Stages wait for it before consuming.
    const broker = BrokerHealth.fromEnv(log);
    let partitionerStarted = false;
    const kafkaReady = broker.connect(async () => {
      if (!partitionerStarted) await partitioner.start(published.map((c) => c.name));
      partitionerStarted = true;
      await producer.connect();
      await producer.prepare(published.map((c) => c.name));
    });
    kafkaReady.catch(() => undefined); // rejects only when stopped during shutdown; stages awaiting it then do not start
    const metrics = new SpineMetrics();
    new Gauge({ name: 'spine_kafka_reachable', help: '1 while Kafka answers the health probe, else 0', registers: [metrics.registry], collect() { this.set(broker.healthy ? 1 : 0); } });
    return new SpineContext(service, deployment, kafka, registry, serde, catalog, codecs, producer, partitioner, metrics, log, broker, kafkaReady);
  }
}
