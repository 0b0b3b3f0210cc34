import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { DLQ_HEADERS } from '@spine/runtime';
import { resolveTopic, type Deployment, type StageSpec } from '@spine/topology';
import type { OperationsTarget } from './dead-letters.js';
import { silent } from './notice.js';
import { partitionBounds } from './positions.js';
import { letterAt, type MarkedLetter, type RedriveMarks } from './redrive-marks.js';

/** The consumer group that keeps re-drive progress of a stage's dead letters (shared by the CLI and the console). */
export function redriveGroupOf(stage: StageSpec, deployment: Deployment): string {
  return `${deployment.prefix}spine.redrive.${stage.name}`;
}

export interface RedriveOptions {
  /** At most this many records (default all). */
  readonly limit?: number;
  /** Stops after this long without a record (default 5000 ms). */
  readonly idleMs?: number;
  /** Also stops once every partition is re-driven up to its end as it was when the re-drive began. */
  readonly stopAtEnd?: boolean;
  /** Records re-driven on their own earlier (the console's selections): skipped, and their marks cleared. */
  readonly marks?: RedriveMarks;
}

/** A re-drive's outcome. */
export interface RedriveReport {
  readonly topic: string;
  readonly moved: number;
  /** Where each moved record was on the dead-letter topic. */
  readonly records: Array<{ partition: number; offset: string; sourceTopic: string }>;
  /** Records passed without sending them again: they had been re-driven on their own. */
  readonly skipped: number;
}

/** The original record of a dead letter, ready to send back: bytes as they were, headers minus spine.dlq.*. */
export function originalOf(message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>, where: string): { topic: string; key: Buffer | null; value: Buffer | null; headers: IHeaders } {
  const headers = message.headers ?? {};
  const source = headers[DLQ_HEADERS.sourceTopic]?.toString();
  if (!source) throw new Error(`record ${where}@${message.offset} has no ${DLQ_HEADERS.sourceTopic} header`);
  const original: IHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('spine.dlq.')));
  return { topic: source, key: message.key, value: message.value, headers: original };
}

/**
 * Re-drives dead letters: every record on a stage's dead-letter topic goes back, bytes and headers as they
 * were (minus spine.dlq.*), to the topic it came from. Progress is kept by a consumer group, so a
 * re-drive can be stopped and resumed, and a record is never re-driven twice by it; with `marks`, records
 * re-driven on their own before are not sent again either.
 */
export async function redriveStage(target: OperationsTarget, stage: StageSpec, options: RedriveOptions = {}): Promise<RedriveReport> {
  const notice = target.notice ?? silent;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const idleMs = options.idleMs ?? 5_000;
  const topic = resolveTopic(stage.deadLetter, target.deployment).name;
  const groupId = redriveGroupOf(stage, target.deployment);
  const ends = new Map<number, bigint>();
  if (options.stopAtEnd) {
    const admin = target.kafka.admin();
    await admin.connect();
    try {
      const committed = new Map(((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      for (const b of await partitionBounds(admin, topic)) {
        const done = committed.get(b.partition) ?? -1n;
        if (b.high > (done > b.low ? done : b.low)) ends.set(b.partition, b.high);
      }
    } finally {
      await admin.disconnect();
    }
    if (!ends.size) return { topic, moved: 0, records: [], skipped: 0 };
  }
  const marked = options.marks ? await options.marks.load(topic) : new Map<string, MarkedLetter>();
  if (marked.size) notice(`${marked.size} record(s) of ${topic} were re-driven on their own already: skipping them`);
  let skipped = 0;
  const producer = target.kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  const consumer = target.kafka.consumer({ groupId });
  await Promise.all([producer.connect(), consumer.connect()]);
  const records: Array<{ partition: number; offset: string; sourceTopic: string }> = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let lastActivity = Date.now();
    notice(`re-driving ${topic} (stops after ${idleMs} ms without records${Number.isFinite(limit) ? ` or ${limit} records` : ''})`);
    await new Promise<void>((resolve, reject) => {
      const idle = setInterval(() => {
        if (Date.now() - lastActivity > idleMs || records.length >= limit || (options.stopAtEnd && !ends.size)) {
          clearInterval(idle);
          resolve();
        }
      }, 100);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic: from, partition, message }) => {
            if (records.length >= limit) return;
            if (options.stopAtEnd && (!ends.has(partition) || BigInt(message.offset) >= ends.get(partition)!)) return;
            lastActivity = Date.now();
            const original = originalOf(message, `${from}/${partition}`);
            const mark = marked.get(letterAt(partition, message.offset));
            if (!mark) await producer.send({ topic: original.topic, acks: -1, messages: [{ key: original.key, value: original.value, headers: original.headers }] });
            await consumer.commitOffsets([{ topic: from, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            if (mark) {
              await options.marks!.clear(producer, [mark.key]); // the group is past it now
              skipped++;
            } else {
              records.push({ partition, offset: message.offset, sourceTopic: original.topic });
            }
            if (options.stopAtEnd && BigInt(message.offset) + 1n >= ends.get(partition)!) ends.delete(partition);
            if (records.length % 100 === 0) notice(`re-driven ${records.length}`);
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  notice(`re-driven ${records.length} record(s) from ${topic}${skipped ? `; skipped ${skipped} re-driven on their own before` : ''}`);
  return { topic, moved: records.length, records, skipped };
}

/**
 * Sends chosen dead letters (already read) back to their source topics, in the order given. The re-drive group is
 * not moved; with `marks`, each is marked re-driven, so a later re-drive of everything skips it.
 */
export async function redriveMessages(
  producer: Producer,
  deadLetterTopic: string,
  letters: ReadonlyArray<{ partition: number; message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'> }>,
  marking?: { readonly marks: RedriveMarks; readonly actor: string },
): Promise<RedriveReport> {
  const records: RedriveReport['records'] = [];
  for (const { partition, message } of letters) {
    const original = originalOf(message, `${deadLetterTopic}/${partition}`);
    await producer.send({ topic: original.topic, acks: -1, messages: [{ key: original.key, value: original.value, headers: original.headers }] });
    records.push({ partition, offset: message.offset, sourceTopic: original.topic });
  }
  await marking?.marks.mark(producer, records.map((r) => ({ deadLetterTopic, partition: r.partition, offset: Number(r.offset), sourceTopic: r.sourceTopic })), marking.actor);
  return { topic: deadLetterTopic, moved: records.length, records, skipped: 0 };
}
