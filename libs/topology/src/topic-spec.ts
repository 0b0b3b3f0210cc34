import type { SchemaId } from '@spine/schemas';
import type { Compatibility } from '@spine/serde';

/** One topic, declared once: everything provisioning needs and everything a stage needs to speak it. */
export interface TopicSpec<K extends SchemaId | null = SchemaId | null, V extends SchemaId | null = SchemaId | null> {
  readonly name: string;
  readonly description: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level Kafka configs (retention.ms, cleanup.policy, ...); provisioning keeps them in sync. */
  readonly config: Readonly<Record<string, string>>;
  /** Schema files (ids under schemas/) for key and value; null = raw bytes (dead-letter topics keep originals). */
  readonly key: K;
  readonly value: V;
  /** Subject compatibility for both subjects; BACKWARD unless said otherwise. */
  readonly compatibility: Compatibility;
}

/** Confluent TopicNameStrategy: `<topic>-key` and `<topic>-value`. */
export function subjectFor(topic: string, part: 'key' | 'value'): string {
  return `${topic}-${part}`;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
