import type { TopicSpec } from './topic-spec.js';
import { DAY_MS } from './topic-spec.js';

/**
 * Spine's topics as code. `prefix` namespaces every topic (and so every subject): integration tests run
 * the whole pipeline on their own topics, and several environments can share one cluster.
 * Names carry a version suffix: a breaking change is a new topic, never an incompatible schema.
 */
export function spineTopology(options: { prefix?: string; partitions?: number; replicationFactor?: number } = {}) {
  const prefix = options.prefix ?? process.env.SPINE_TOPIC_PREFIX ?? '';
  const partitions = options.partitions ?? Number(process.env.SPINE_TOPIC_PARTITIONS ?? 6);
  const replicationFactor = options.replicationFactor ?? Number(process.env.SPINE_REPLICATION_FACTOR ?? 1);
  const base = { partitions, replicationFactor, compatibility: 'BACKWARD' as const };
  const retention = (days: number) => ({ 'cleanup.policy': 'delete', 'retention.ms': String(days * DAY_MS) });
  const deadLetter = (stage: string) =>
    ({
      ...base,
      name: `${prefix}spine.dlq.${stage}.v1`,
      description: `Records the ${stage} stage could not process: original key, value and headers, plus spine.dlq.* headers with the cause.`,
      partitions: 1,
      config: retention(30),
      key: null,
      value: null,
    }) satisfies TopicSpec;

  const topics = {
    supportMessages: {
      ...base,
      name: `${prefix}spine.crm.support-message.v1`,
      description: 'Customer support messages accepted by ingestion (HTTP or Kafka producers).',
      config: retention(7),
      key: 'common/entity-key',
      value: 'support-message-received',
    },
    enrichedMessages: {
      ...base,
      name: `${prefix}spine.crm.support-message-enriched.v1`,
      description: 'Support messages with the customer features from the online feature store.',
      config: retention(7),
      key: 'common/entity-key',
      value: 'support-message-enriched',
    },
    triageResults: {
      ...base,
      name: `${prefix}spine.ai.support-triage.v1`,
      description: 'AI triage results (sentiment, intent, priority, model name and version) for CRMs and any other consumer.',
      config: retention(30),
      key: 'common/entity-key',
      value: 'support-triage-result',
    },
    enrichmentDeadLetters: deadLetter('enrichment'),
    inferenceDeadLetters: deadLetter('inference'),
    sinkDeadLetters: deadLetter('sink'),
  } as const satisfies Record<string, TopicSpec>;

  return { prefix, topics, all: Object.values(topics) as TopicSpec[] };
}

export type SpineTopology = ReturnType<typeof spineTopology>;
