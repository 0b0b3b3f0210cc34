import type { Admin, Kafka } from 'kafkajs';

/** Where to start or stop in a topic: its ends, an offset (the same for every partition) or a point in time. */
export type Position = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset'; offset: bigint } | { kind: 'time'; at: number };

/** The offsets a partition holds now. */
export interface PartitionBounds {
  readonly partition: number;
  /** First offset still in the log. */
  readonly low: bigint;
  /** Offset the next record will get. */
  readonly high: bigint;
}

/** Raised when a topic the registry names is not on the broker; its message names the fix. */
export class MissingTopicError extends Error {
  override readonly name = 'MissingTopicError';
}

/** Partition ends of `topic`; a missing topic fails at once (kafkajs would retry for a minute) saying what to do. */
export async function partitionBounds(admin: Admin, topic: string): Promise<PartitionBounds[]> {
  if (!(await admin.listTopics()).includes(topic)) {
    throw new MissingTopicError(`topic ${topic} does not exist: run \`./spine provision\` (with the same SPINE_TOPIC_PREFIX${process.env.SPINE_TOPIC_PREFIX ? `="${process.env.SPINE_TOPIC_PREFIX}"` : ''})`);
  }
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) })).sort((a, b) => a.partition - b.partition);
}

/** partitionBounds through an admin client of its own (connected for the call only). */
export async function topicBounds(kafka: Kafka, topic: string): Promise<PartitionBounds[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await partitionBounds(admin, topic);
  } finally {
    await admin.disconnect();
  }
}

/** The offset of `position` in each partition, within what the log holds (an offset past the end is the end). */
export async function offsetsAt(admin: Admin, topic: string, position: Position, bounds?: readonly PartitionBounds[]): Promise<Map<number, bigint>> {
  const ends = bounds ?? (await partitionBounds(admin, topic));
  const clamp = (b: PartitionBounds, offset: bigint) => (offset < b.low ? b.low : offset > b.high ? b.high : offset);
  if (position.kind !== 'time') {
    return new Map(ends.map((b) => [b.partition, position.kind === 'earliest' ? b.low : position.kind === 'latest' ? b.high : clamp(b, position.offset)]));
  }
  // The first offset whose timestamp is at or after the time (the end when there is none).
  const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, position.at);
  return new Map(ends.map((b) => [b.partition, clamp(b, BigInt(byTime.find((o) => o.partition === b.partition)?.offset ?? b.high))]));
}

/** `offset 1200`, an ISO time, `earliest` or `latest`. */
export function describePosition(position: Position): string {
  return position.kind === 'offset' ? `offset ${position.offset}` : position.kind === 'time' ? new Date(position.at).toISOString() : position.kind;
}
