import type { Admin, IHeaders, Kafka, Message } from 'kafkajs';
import { kafkaFromEnv } from '@spine/runtime';
import { progress, requireOption, UsageError } from '../args.js';
import { deployedGroup, deployedName, stageNamed, stageNames } from '../platform.js';
import { assertGroupStopped } from './group-guard.js';
import { setGroupOffsets } from './group-offsets.js';
import { describePosition, offsetsAt, parsePosition, partitionBounds, type Position } from './positions.js';
import { keepStdoutForData } from './record-json.js';
import { readRanges } from './topic-reader.js';

interface PartitionReport {
  partition: number;
  /** Rewind: the group's new offset. Copy: the range [from, to) that was re-published. */
  offset?: string;
  from?: string;
  to?: string;
  copied?: number;
}

const SEND_BATCH = 500;

/**
 * Replays a stopped stage's inputs. Downstream writes are keyed by event id, so a replay updates nothing twice.
 *  - `--from <time|offset|earliest>`: rewinds the stage's group there (an offset applies to every partition);
 *    the stage reprocesses everything from that point when it starts again.
 *  - `--from X --to Y` (time or offset, Y exclusive): re-publishes just the records of [X, Y) of each input
 *    partition to the end of the same partition, key, value and headers byte for byte, in their order; the
 *    group is not moved, so the stage processes the copies after its backlog and its idempotency absorbs them.
 *    Every consumer of those topics sees the copies (as after `redrive`).
 * Both refuse while the group has members, naming them: stop the stage first.
 */
export async function replayCommand(options: Record<string, string | true>): Promise<void> {
  keepStdoutForData();
  const stage = stageNamed(requireOption(options, 'stage', stageNames()));
  const from = parsePosition('from', requireOption(options, 'from', 'an ISO-8601 time, an offset, or "earliest"'), ['earliest', 'offset', 'time']);
  const to = options.to === undefined ? undefined : parsePosition('to', requireOption(options, 'to', 'an ISO-8601 time or an offset (exclusive)'), ['offset', 'time']);
  const empty = (to?.kind === 'offset' && from.kind === 'offset' && to.offset <= from.offset) || (to?.kind === 'time' && from.kind === 'time' && to.at <= from.at);
  if (to && empty) {
    throw new UsageError(`--to ${describePosition(to)} is not after --from ${describePosition(from)}: the range [from, to) would be empty`);
  }
  const groupId = deployedGroup(stage);
  const kafka = kafkaFromEnv('spine-replay');
  const admin = kafka.admin();
  await admin.connect();
  const topics: Array<{ topic: string; partitions: PartitionReport[] }> = [];
  try {
    await assertGroupStopped(admin, groupId, stage.service);
    for (const input of stage.inputs) {
      const topic = deployedName(input);
      const partitions = to ? await copyRange(kafka, admin, topic, from, to) : [...(await offsetsAt(admin, topic, from))].map(([partition, offset]) => ({ partition, offset: offset.toString() }));
      topics.push({ topic, partitions });
    }
  } finally {
    await admin.disconnect();
  }
  if (!to) {
    await setGroupOffsets(kafka, groupId, topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset! }))));
    for (const t of topics) progress(`group ${groupId} on ${t.topic} set to ${describePosition(from)}: ${t.partitions.map((p) => `p${p.partition}@${p.offset}`).join(' ')}`);
  }
  const copied = topics.flatMap((t) => t.partitions).reduce((sum, p) => sum + (p.copied ?? 0), 0);
  if (to) progress(`re-published ${copied} record(s) of [${describePosition(from)}, ${describePosition(to)}) for ${stage.name}; start it to process them`);
  if (options.json) {
    const report = { stage: stage.name, group: groupId, mode: to ? 'copy' : 'rewind', from: describePosition(from), ...(to ? { to: describePosition(to), copied } : {}), topics };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  }
}

async function copyRange(kafka: Kafka, admin: Admin, topic: string, from: Position, to: Position): Promise<PartitionReport[]> {
  const bounds = await partitionBounds(admin, topic);
  const [starts, ends] = await Promise.all([offsetsAt(admin, topic, from, bounds), offsetsAt(admin, topic, to, bounds)]);
  const ranges = bounds.map((b) => ({ partition: b.partition, start: starts.get(b.partition)!, end: ends.get(b.partition)! }));
  const report = new Map<number, PartitionReport>(ranges.map((r) => [r.partition, { partition: r.partition, from: r.start.toString(), to: r.end.toString(), copied: 0 }]));
  const total = ranges.reduce((sum, r) => sum + Math.max(0, Number(r.end - r.start)), 0);
  progress(`re-publishing ${total} record(s) of ${topic}: ${ranges.map((r) => `p${r.partition} [${r.start}, ${r.end})`).join(' ')}`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  await producer.connect();
  const pending = new Map<number, Message[]>();
  let copied = 0;
  const flush = async (partition: number) => {
    const messages = pending.get(partition) ?? [];
    if (!messages.length) return;
    pending.set(partition, []);
    await producer.send({ topic, acks: -1, messages });
    report.get(partition)!.copied! += messages.length;
    copied += messages.length;
    progress(`re-published ${copied} of ${total}`);
  };
  try {
    await readRanges(kafka, topic, ranges, {
      purpose: 'replay',
      onRecord: async (partition, message) => {
        const headers: IHeaders = Object.fromEntries(Object.entries(message.headers ?? {}).filter(([, v]) => v !== undefined));
        const batch = pending.get(partition) ?? [];
        pending.set(partition, batch);
        batch.push({ partition, key: message.key, value: message.value, headers });
        if (batch.length >= SEND_BATCH) await flush(partition);
      },
    });
    for (const partition of pending.keys()) await flush(partition);
  } finally {
    await producer.disconnect();
  }
  return [...report.values()];
}
