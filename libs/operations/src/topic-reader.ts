import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { silent, type Notice } from './notice.js';
import { topicBounds } from './positions.js';

export interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  /** Exclusive; omitted: read on until aborted (follow). */
  readonly end?: bigint;
}

export interface ReadOptions {
  /** Names the throwaway group (`<groupPrefix>spine.cli.<purpose>.<uuid>`), so a stray one says whose it was. */
  readonly purpose: string;
  /** The deployment's topic prefix, put in front of the throwaway group's name (default none). */
  readonly groupPrefix?: string;
  /** Each record of a range, in offset order per partition; answer 'stop' to end that partition's range early. */
  readonly onRecord: (partition: number, message: KafkaMessage) => void | 'stop' | Promise<void | 'stop'>;
  /** Ends the read (e.g. Ctrl-C while following). */
  readonly signal?: AbortSignal;
  /** Gives up on bounded ranges after this long without a record (a log with gaps never reaches its end). */
  readonly idleMs?: number;
  /** Progress and warnings. */
  readonly notice?: Notice;
}

/**
 * Reads offset ranges of a topic and leaves nothing behind: kafkajs has no assign(), so a throwaway consumer
 * group that never commits is sought to each range's start, and deleted afterwards. Resolves when every
 * bounded range is read (never, while a range is unbounded, until `signal` aborts).
 */
export async function readRanges(kafka: Kafka, topic: string, ranges: readonly PartitionRange[], options: ReadOptions): Promise<number> {
  const notice = options.notice ?? silent;
  const open = new Map(ranges.filter((r) => r.end === undefined || r.start < r.end).map((r) => [r.partition, r]));
  if (!open.size || options.signal?.aborted) return 0;
  const groupId = `${options.groupPrefix ?? ''}spine.cli.${options.purpose}.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  let read = 0;
  let lastRecord = Date.now();
  let idle: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const bounded = () => [...open.values()].filter((r) => r.end !== undefined);
      const close = (partition: number) => {
        open.delete(partition);
        consumer.pause([{ topic, partitions: [partition] }]);
        if (!bounded().length && ![...open.values()].length) resolve();
      };
      options.signal?.addEventListener('abort', () => resolve(), { once: true });
      idle = setInterval(() => {
        const waiting = bounded();
        if (!waiting.length || Date.now() - lastRecord < (options.idleMs ?? 15_000)) return;
        notice(`no record for ${options.idleMs ?? 15_000} ms; stopping before the end of ${waiting.map((r) => `p${r.partition} (end ${r.end})`).join(', ')}`);
        if (waiting.length === open.size) resolve();
        for (const r of waiting) open.delete(r.partition);
      }, 500);
      idle.unref();
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const range = open.get(partition);
            const offset = BigInt(message.offset);
            if (!range || offset < range.start) return;
            if (range.end !== undefined && offset >= range.end) return close(partition);
            lastRecord = Date.now();
            read++;
            const verdict = await options.onRecord(partition, message);
            if (verdict === 'stop' || (range.end !== undefined && offset + 1n >= range.end)) close(partition);
          },
        })
        .catch(reject);
      for (const r of open.values()) consumer.seek({ topic, partition: r.partition, offset: r.start.toString() });
      const nothingToRead = ranges.map((r) => r.partition).filter((p) => !open.has(p));
      if (nothingToRead.length) consumer.pause([{ topic, partitions: nothingToRead }]);
    });
  } finally {
    clearInterval(idle);
    await consumer.disconnect();
    await deleteGroup(kafka.admin(), groupId, notice);
  }
  return read;
}

/** Reads everything the topic holds now: each partition from its low to its high watermark (see readRanges). */
export async function readWholeTopic(kafka: Kafka, topic: string, options: ReadOptions): Promise<number> {
  const bounds = await topicBounds(kafka, topic);
  return readRanges(kafka, topic, bounds.map((b) => ({ partition: b.partition, start: b.low, end: b.high })), options);
}

/** Deletes the throwaway group; it may take a moment to become empty after the consumer left. */
async function deleteGroup(admin: Admin, groupId: string, notice: Notice): Promise<void> {
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.deleteGroups([groupId]);
        return;
      } catch (error) {
        const type = (error as { groups?: Array<{ error?: { type?: string } }> }).groups?.[0]?.error?.type ?? (error as { type?: string }).type;
        if (type === 'GROUP_ID_NOT_FOUND') return;
        if (attempt >= 10) {
          notice(`could not delete the throwaway consumer group ${groupId} (${type ?? (error as Error).message}); it holds no offsets and expires by itself`);
          return;
        }
        await sleep(300);
      }
    }
  } finally {
    await admin.disconnect();
  }
}
