import type { Admin } from 'kafkajs';
import { UsageError } from '../args.js';

/** Where to start or stop in a topic: its ends, an offset (the same for every partition) or a point in time. */
export type Position = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset'; offset: bigint } | { kind: 'time'; at: number };

const ALL = ['earliest', 'latest', 'offset', 'time'] as const;

/** Parses `--<option> earliest|latest|<offset>|<ISO-8601 time>`, accepting only the kinds given. */
export function parsePosition(option: string, raw: string, accepted: readonly Position['kind'][] = ALL): Position {
  const position: Position | undefined =
    raw === 'earliest' ? { kind: 'earliest' }
    : raw === 'latest' ? { kind: 'latest' }
    : /^\d+$/.test(raw) ? { kind: 'offset', offset: BigInt(raw) }
    : /^\d{4}-\d{2}-\d{2}/.test(raw) && !Number.isNaN(Date.parse(raw)) ? { kind: 'time', at: Date.parse(raw) }
    : undefined;
  const words = { earliest: '"earliest"', latest: '"latest"', offset: 'an offset (e.g. 1200)', time: 'an ISO-8601 time (e.g. 2026-11-22T10:00:00Z)' };
  if (!position || !accepted.includes(position.kind)) throw new UsageError(`--${option} "${raw}" is not ${accepted.map((k) => words[k]).join(', or ')}`);
  return position;
}

export interface PartitionBounds {
  readonly partition: number;
  /** First offset still in the log. */
  readonly low: bigint;
  /** Offset the next record will get. */
  readonly high: bigint;
}

/** Partition ends of `topic`; a missing topic fails at once (kafkajs would retry for a minute) saying what to do. */
export async function partitionBounds(admin: Admin, topic: string): Promise<PartitionBounds[]> {
  if (!(await admin.listTopics()).includes(topic)) {
    throw new Error(`topic ${topic} does not exist: run \`./spine provision\` (with the same SPINE_TOPIC_PREFIX${process.env.SPINE_TOPIC_PREFIX ? `="${process.env.SPINE_TOPIC_PREFIX}"` : ''})`);
  }
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) })).sort((a, b) => a.partition - b.partition);
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

export function describePosition(position: Position): string {
  return position.kind === 'offset' ? `offset ${position.offset}` : position.kind === 'time' ? new Date(position.at).toISOString() : position.kind;
}
