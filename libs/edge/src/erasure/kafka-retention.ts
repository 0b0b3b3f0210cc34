/** A topic as the erasure report needs it: deployed name and topic configs (a TopicSpec/ResolvedTopic fits). */
export interface TopicRetention {
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
}

/** What happens to a customer's records still in one Kafka topic after their rows are erased. */
export interface KafkaRetentionNote {
  readonly topic: string;
  readonly cleanupPolicy: string;
  /** Delete-retention topics: the records are gone, at the latest, by then (retention.ms after the erasure). */
  readonly agesOutBy?: string;
  readonly note: string;
}

/**
 * Kafka cannot delete single records. On a delete-retention topic the customer's records age out once
 * retention.ms has passed since they were written (so at the latest retention.ms after the erasure); on a
 * compacted topic, a tombstone (same key, null value) removes every earlier record of the key at the next
 * compaction, once delete.retention.ms has passed.
 */
export function kafkaRetentionNotes(topics: readonly TopicRetention[], erasedAt: Date): KafkaRetentionNote[] {
  return topics.map(({ name, config }) => {
    const cleanupPolicy = config['cleanup.policy'] ?? 'delete';
    if (cleanupPolicy.includes('compact')) {
      return { topic: name, cleanupPolicy, note: 'compacted: a tombstone (the record key, null value) removes the key at the next compaction; produce one per key of the customer' };
    }
    const retentionMs = Number(config['retention.ms'] ?? 7 * 86_400_000);
    if (!Number.isFinite(retentionMs) || retentionMs < 0) return { topic: name, cleanupPolicy, note: 'retention.ms is unlimited: records stay until the topic is deleted or reconfigured' };
    return {
      topic: name,
      cleanupPolicy,
      agesOutBy: new Date(erasedAt.getTime() + retentionMs).toISOString(),
      note: `delete retention of ${+(retentionMs / 86_400_000).toFixed(2)} days: the customer's records already written age out by then; consumers re-reading them (replays) can re-create rows until then`,
    };
  });
}
