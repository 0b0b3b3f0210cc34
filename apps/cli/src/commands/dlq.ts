import type { KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS, kafkaFromEnv } from '@spine/runtime';
import { loadSchemaCatalog, requireSchema, type SchemaCatalog } from '@spine/schemas';
import type { StageSpec } from '@spine/topology';
import { progress, UsageError } from '../args.js';
import { deployedName, deployment, platform, stageNamed, stageNames } from '../platform.js';
import { partitionBounds } from './positions.js';
import { headersOf, keepStdoutForData, partFields, RecordDecoder, timestampOf, type Part } from './record-json.js';
import { readRanges } from './topic-reader.js';

const USAGE = 'dlq list <stage> | dlq show <stage> [--limit N] [--offset O]';

/**
 * `dlq list <stage>`: how many dead letters a stage has, how many are not re-driven yet, the oldest and newest,
 * and their error classes with counts. `dlq show <stage>`: the records themselves, cause headers plus the
 * original decoded through its source topic's schema (base64 with the reason where it does not decode).
 */
export async function dlqCommand(args: readonly string[], options: Record<string, string | true>): Promise<void> {
  keepStdoutForData();
  const [action, name] = args;
  if (action !== 'list' && action !== 'show') throw new UsageError(`${USAGE}${action ? ` ("${action}" is neither)` : ''}`);
  if (!name) throw new UsageError(`${USAGE}: name a stage (${stageNames()})`);
  const stage = stageNamed(name);
  const report = action === 'list' ? await list(stage) : await show(stage, whole(options, 'offset', 0), whole(options, 'limit', 10));
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(action === 'list' ? humanList(report as ListReport) : humanShow(report as ShownLetter[]));
}

interface ListReport {
  stage: string;
  topic: string;
  count: number;
  /** Not yet re-driven by `redrive` (whose group keeps its progress). */
  pending: number;
  oldest: { failedAt: string; partition: number; offset: string } | null;
  newest: { failedAt: string; partition: number; offset: string } | null;
  errorClasses: Array<{ errorClass: string; count: number; lastMessage: string }>;
  sourceTopics: Array<{ topic: string; count: number }>;
}

async function list(stage: StageSpec): Promise<ListReport> {
  const kafka = kafkaFromEnv('spine-dlq');
  const topic = deployedName(stage.deadLetter);
  const admin = kafka.admin();
  await admin.connect();
  const bounds = await partitionBounds(admin, topic);
  const redriven = await admin.fetchOffsets({ groupId: `${deployment.prefix}spine.redrive.${stage.name}`, topics: [topic] });
  await admin.disconnect();
  const committed = new Map((redriven[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  const count = bounds.reduce((sum, b) => sum + Number(b.high - b.low), 0);
  const pending = bounds.reduce((sum, b) => {
    const done = committed.get(b.partition) ?? -1n;
    return sum + Number(b.high - (done > b.low ? done : b.low));
  }, 0);
  const report: ListReport = { stage: stage.name, topic, count, pending, oldest: null, newest: null, errorClasses: [], sourceTopics: [] };
  const classes = new Map<string, { errorClass: string; count: number; lastMessage: string }>();
  const sources = new Map<string, number>();
  let read = 0;
  await readRanges(kafka, topic, bounds.map((b) => ({ partition: b.partition, start: b.low, end: b.high })), {
    purpose: 'dlq',
    onRecord: (partition, message) => {
      if (++read % 1_000 === 0) progress(`read ${read} of ${count} dead letters`);
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

interface ShownLetter {
  partition: number;
  offset: string;
  cause: Record<string, string | null>;
  original: Record<string, unknown>;
}

async function show(stage: StageSpec, from: number, limit: number): Promise<ShownLetter[]> {
  const kafka = kafkaFromEnv('spine-dlq');
  const topic = deployedName(stage.deadLetter);
  const admin = kafka.admin();
  await admin.connect();
  const bounds = await partitionBounds(admin, topic);
  await admin.disconnect();
  const [catalog, decoder] = [await loadSchemaCatalog(), new RecordDecoder()];
  const shown: ShownLetter[] = [];
  const ranges = bounds.map((b) => ({ partition: b.partition, start: BigInt(from) > b.low ? BigInt(from) : b.low, end: b.high }));
  if (limit > 0) {
    await readRanges(kafka, topic, ranges, {
      purpose: 'dlq',
      onRecord: async (partition, message) => {
        shown.push(await letter(partition, message, catalog, decoder));
        if (shown.filter((s) => s.partition === partition).length >= limit) return 'stop';
      },
    });
  }
  return shown.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset))).slice(0, limit);
}

async function letter(partition: number, message: KafkaMessage, catalog: SchemaCatalog, decoder: RecordDecoder): Promise<ShownLetter> {
  const headers = headersOf(message);
  const cause = Object.fromEntries(Object.entries(DLQ_HEADERS).map(([key, header]) => [key, headers[header] ?? null]));
  const sourceTopic = headers[DLQ_HEADERS.sourceTopic];
  const source = platform.topics.find((t) => deployedName(t) === sourceTopic);
  const through = async (part: 'key' | 'value', bytes: Buffer | null): Promise<Part | null> => {
    if (bytes === null) return null;
    const id = source?.[part];
    if (!id) return { base64: bytes.toString('base64'), error: source ? `${part} of ${sourceTopic} is raw bytes` : `source topic ${sourceTopic ?? '(none)'} is not a registered topic of this deployment` };
    return decoder.part(bytes, requireSchema(catalog, id));
  };
  const original = Object.fromEntries(Object.entries(headers).filter(([h]) => !h.startsWith('spine.dlq.')));
  return {
    partition,
    offset: message.offset,
    cause,
    original: { topic: sourceTopic ?? null, timestamp: timestampOf(message), ...partFields('key', await through('key', message.key)), ...partFields('value', await through('value', message.value)), headers: original },
  };
}

function whole(options: Record<string, string | true>, name: string, fallback: number): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`--${name} needs a whole number`);
  return Number(raw);
}

function humanList(r: ListReport): string {
  const lines = [`${r.stage}: ${r.count} dead letter(s) on ${r.topic}, ${r.pending} not re-driven`];
  if (r.oldest && r.newest) lines.push(`  oldest ${r.oldest.failedAt} (p${r.oldest.partition}@${r.oldest.offset})  newest ${r.newest.failedAt} (p${r.newest.partition}@${r.newest.offset})`);
  for (const c of r.errorClasses) lines.push(`  ${String(c.count).padStart(6)}  ${c.errorClass}: ${c.lastMessage.slice(0, 160)}`);
  for (const s of r.sourceTopics) lines.push(`  from ${s.topic}: ${s.count}`);
  return `${lines.join('\n')}\n`;
}

function humanShow(letters: ShownLetter[]): string {
  return letters
    .map((l) => `p${l.partition}@${l.offset}  ${l.cause.errorClass ?? '?'}: ${l.cause.errorMessage ?? ''}\n  cause    ${JSON.stringify(l.cause)}\n  original ${JSON.stringify(l.original)}\n`)
    .join('');
}
