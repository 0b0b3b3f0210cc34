import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '@spine/runtime';
import { loadSchemaCatalog } from '@spine/schemas';
import { resolveTopic, type Deployment, type StageSpec, type TopicSpec } from '@spine/topology';
import { decodeDeadLetter, type ShownLetter } from './dead-letter-decoding.js';
import type { RedriveMarks } from './redrive-marks.js';
import { silent, type Notice } from './notice.js';
import { partitionBounds, topicBounds } from './positions.js';
import { headersOf, RecordDecoder, timestampOf } from './record-decoder.js';
import { redriveGroupOf } from './redrive.js';
import { readRanges } from './topic-reader.js';

/** Where a dead letter is, and when it failed. */
export interface LetterPosition {
  failedAt: string;
  partition: number;
  offset: string;
}

/** A stage's dead letters at a glance. */
export interface DeadLetterSummary {
  stage: string;
  topic: string;
  count: number;
  /** Not yet re-driven: past the redrive group's committed offsets, less those re-driven on their own (marks). */
  pending: number;
  oldest: LetterPosition | null;
  newest: LetterPosition | null;
  errorClasses: Array<{ errorClass: string; count: number; lastMessage: string }>;
  sourceTopics: Array<{ topic: string; count: number }>;
}

/** Where the operations run: the broker, the deployment (prefix), the registry's topics, and where progress goes. */
export interface OperationsTarget {
  readonly kafka: Kafka;
  readonly deployment: Deployment;
  /** Every registered topic (to find a dead letter's source topic and its schemas). */
  readonly topics: readonly TopicSpec[];
  readonly notice?: Notice;
}

/** How many dead letters a stage has, how many are not re-driven, the oldest and newest, error classes and sources. */
export async function summarizeDeadLetters(target: OperationsTarget, stage: StageSpec, marks?: RedriveMarks): Promise<DeadLetterSummary> {
  const notice = target.notice ?? silent;
  const topic = resolveTopic(stage.deadLetter, target.deployment).name;
  const admin = target.kafka.admin();
  await admin.connect();
  let bounds;
  let redriven;
  try {
    bounds = await partitionBounds(admin, topic);
    redriven = await admin.fetchOffsets({ groupId: redriveGroupOf(stage, target.deployment), topics: [topic] });
  } finally {
    await admin.disconnect();
  }
  const committed = new Map((redriven[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  const count = bounds.reduce((sum, b) => sum + Number(b.high - b.low), 0);
  const firstPending = (b: (typeof bounds)[number]) => {
    const done = committed.get(b.partition) ?? -1n;
    return done > b.low ? done : b.low;
  };
  const redrivenAlone = [...(marks ? (await marks.load(topic)).values() : [])].filter(({ partition, offset }) => {
    const b = bounds.find((x) => x.partition === partition);
    return b !== undefined && BigInt(offset) >= firstPending(b) && BigInt(offset) < b.high;
  }).length;
  const pending = bounds.reduce((sum, b) => sum + Number(b.high - firstPending(b)), 0) - redrivenAlone;
  const report: DeadLetterSummary = { stage: stage.name, topic, count, pending, oldest: null, newest: null, errorClasses: [], sourceTopics: [] };
  const classes = new Map<string, { errorClass: string; count: number; lastMessage: string }>();
  const sources = new Map<string, number>();
  let read = 0;
  await readRanges(target.kafka, topic, bounds.map((b) => ({ partition: b.partition, start: b.low, end: b.high })), {
    purpose: 'dlq',
    groupPrefix: target.deployment.prefix,
    notice,
    onRecord: (partition, message) => {
      if (++read % 1_000 === 0) notice(`read ${read} of ${count} dead letters`);
      const headers = headersOf(message);
      const errorClass = headers[DLQ_HEADERS.errorClass] ?? '(no cause header)';
      const entry = classes.get(errorClass) ?? { errorClass, count: 0, lastMessage: '' };
      classes.set(errorClass, { ...entry, count: entry.count + 1, lastMessage: headers[DLQ_HEADERS.errorMessage] ?? '' });
      const source = headers[DLQ_HEADERS.sourceTopic] ?? '(unknown)';
      sources.set(source, (sources.get(source) ?? 0) + 1);
      const at = { failedAt: headers[DLQ_HEADERS.failedAt] ?? timestampOf(message), partition, offset: message.offset };
      if (!report.oldest || at.failedAt < report.oldest.failedAt) report.oldest = at;
      if (!report.newest || at.failedAt >= report.newest.failedAt) report.newest = at;
    },
  });
  report.errorClasses = [...classes.values()].sort((a, b) => b.count - a.count || a.errorClass.localeCompare(b.errorClass));
  report.sourceTopics = [...sources].map(([t, n]) => ({ topic: t, count: n })).sort((a, b) => b.count - a.count);
  return report;
}

/** Up to `limit` dead letters per partition from offset `from` (in partition, offset order, at most `limit` in all), decoded. */
export async function showDeadLetters(target: OperationsTarget, stage: StageSpec, from: number, limit: number): Promise<ShownLetter[]> {
  const topic = resolveTopic(stage.deadLetter, target.deployment).name;
  const bounds = await topicBounds(target.kafka, topic);
  const context = { topics: target.topics, deployment: target.deployment, catalog: await loadSchemaCatalog(), decoder: new RecordDecoder() };
  const shown: ShownLetter[] = [];
  const ranges = bounds.map((b) => ({ partition: b.partition, start: BigInt(from) > b.low ? BigInt(from) : b.low, end: b.high }));
  if (limit > 0) {
    await readRanges(target.kafka, topic, ranges, {
      purpose: 'dlq',
      groupPrefix: target.deployment.prefix,
      notice: target.notice ?? silent,
      onRecord: async (partition, message) => {
        shown.push(await decodeDeadLetter(partition, message, context));
        if (shown.filter((s) => s.partition === partition).length >= limit) return 'stop';
      },
    });
  }
  return shown.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset))).slice(0, limit);
}
