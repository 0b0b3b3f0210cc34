import type { SchemaId, SchemaTypes } from '@spine/schemas';
import type { Compatibility } from '@spine/serde';

/**
 * One topic, declared once: everything provisioning needs and everything a stage needs to speak it.
 * The name is the base name; a deployment's prefix (SPINE_TOPIC_PREFIX) is added when it is resolved, so
 * the same declaration serves every environment and every test.
 */
export interface TopicSpec<K extends SchemaId | null = SchemaId | null, V extends SchemaId | null = SchemaId | null> {
  readonly name: string;
  readonly description: string;
  /** Schema files (ids under schemas/) for key and value; null = raw bytes (dead-letter topics keep originals). */
  readonly key: K;
  readonly value: V;
  /** Partitions; default: the deployment's (SPINE_TOPIC_PARTITIONS). */
  readonly partitions?: number;
  /** Topic-level Kafka configs (retention.ms, cleanup.policy, ...); provisioning keeps them in sync. */
  readonly config: Readonly<Record<string, string>>;
  /** Subject compatibility for both subjects. */
  readonly compatibility: Compatibility;
  /** Accepted over HTTP: `POST /v1/events` with this `type` lands here, keyed by the value's `key` field. */
  readonly ingest?: { readonly type: string; readonly key: string };
  /** An AI result topic: the sink stores and serves its records. */
  readonly result?: boolean;
}

/** What a topic's records decode to, from its schema ids (types generated from schemas/*.avsc). */
export type KeyOf<T extends TopicSpec> = SchemaValue<T['key'], Buffer | string>;
export type ValueOf<T extends TopicSpec> = SchemaValue<T['value'], Buffer>;
// Distributes over a union of ids, so an undetermined topic (TopicSpec itself) admits any schema's value.
type SchemaValue<Id, Raw> = Id extends SchemaId ? SchemaTypes[Id] : Raw;

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopicOptions<K extends SchemaId | null, V extends SchemaId | null> {
  name: string;
  description: string;
  key: K;
  value: V;
  /** Days records are kept (cleanup.policy=delete); ignored when `config` sets cleanup.policy=compact. */
  retentionDays: number;
  partitions?: number;
  config?: Record<string, string>;
  compatibility?: Compatibility;
  ingest?: { type: string; key: string };
  result?: boolean;
}

/** Declares a topic with Spine's defaults (BACKWARD compatibility, delete retention). */
export function topic<const K extends SchemaId | null, const V extends SchemaId | null>(options: TopicOptions<K, V>): TopicSpec<K, V> {
  const { retentionDays, config, compatibility, ...rest } = options;
  return {
    ...rest,
    compatibility: compatibility ?? 'BACKWARD',
    config: { 'cleanup.policy': 'delete', 'retention.ms': String(retentionDays * DAY_MS), ...config },
  };
}

/**
 * The largest record a dead-letter topic takes: twice the broker's default, so any record its source topic
 * accepted (1 MiB by default) still fits with the cause headers added. A dead letter the broker refused would
 * leave its partition retrying for good.
 */
export const DEAD_LETTER_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/** A stage's dead-letter topic: original key, value and headers as bytes, plus spine.dlq.* cause headers. */
export function deadLetterTopic(stage: string): TopicSpec<null, null> {
  return topic({
    name: `spine.dlq.${stage}.v1`,
    description: `Records the ${stage} stage could not process: original key, value and headers, plus spine.dlq.* headers with the cause.`,
    key: null,
    value: null,
    partitions: 1,
    retentionDays: 30,
    config: { 'max.message.bytes': String(DEAD_LETTER_MAX_MESSAGE_BYTES) },
  });
}

/** Confluent TopicNameStrategy: `<topic>-key` and `<topic>-value`. */
export function subjectFor(topic: string, part: 'key' | 'value'): string {
  return `${topic}-${part}`;
}
