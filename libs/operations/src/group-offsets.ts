import type { Kafka } from 'kafkajs';

export interface GroupOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Commits `offsets` for a stopped group in one join: what kafkajs's admin.setOffsets does per topic (join the
 * empty group, commit, leave) without its wait for a first fetch, which costs ~5 s on a quiet topic.
 * Refuses when the group gained a member meanwhile (the assignment then lacks partitions).
 */
export async function setGroupOffsets(kafka: Kafka, groupId: string, offsets: readonly GroupOffset[]): Promise<void> {
  const topics = [...new Set(offsets.map((o) => o.topic))];
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics });
    await new Promise<void>((resolve, reject) => {
      let joined = false;
      let committing = false;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const missing = offsets.filter((o) => !(payload.memberAssignment[o.topic] ?? []).includes(o.partition));
        if (missing.length) {
          reject(new Error(`group ${groupId} gained a member while its offsets were being set (it took ${missing.map((o) => `${o.topic} p${o.partition}`).join(', ')}): stop the stage and run this again`));
          return;
        }
        joined = true;
      });
      // Commit once the consumer runs (kafkajs drops commits before that, silently), then leave: stopping while it
      // still joins would also skip leaving the group, blocking the stage's group until the session timed out.
      consumer.on(consumer.events.FETCH, () => {
        if (!joined || committing) return;
        committing = true;
        consumer.commitOffsets([...offsets]).then(resolve, reject);
      });
      consumer.run({ autoCommit: false, eachMessage: async () => undefined }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}
