import type { KafkaMessage } from 'kafkajs';
import { kafkaFromEnv } from '@spine/runtime';
import type { TopicSpec } from '@spine/topology';
import { progress, UsageError } from '../args.js';
import { deployedName, deployment, platform } from '../platform.js';
import { offsetsAt, parsePosition, partitionBounds } from './positions.js';
import { headersOf, keepStdoutForData, partFields, RecordDecoder, timestampOf } from './record-json.js';
import { readRanges, type PartitionRange } from './topic-reader.js';

interface Shown {
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: number;
  readonly view: Record<string, unknown>;
}

/**
 * `tail <topic>`: the topic's records decoded through the registry into JSON. By default the last `--limit`
 * (10) across partitions in time order; `--from earliest|latest|<offset>|<time>` the first `--limit` from
 * there; `--key` only one entity's; `--follow` then prints new records until Ctrl-C. Reads without a
 * consumer group to clean up (see topic-reader.ts). `--json`: one JSON object per line.
 */
export async function tailCommand(args: readonly string[], options: Record<string, string | true>): Promise<void> {
  keepStdoutForData();
  const spec = topicNamed(args[0]);
  const topic = deployedName(spec);
  const follow = options.follow === true;
  const from = options.from === undefined ? undefined : parsePosition('from', stringOption(options, 'from'));
  const key = options.key === undefined ? undefined : stringOption(options, 'key');
  const limit = options.limit === undefined ? (from && follow ? Infinity : 10) : count(stringOption(options, 'limit'));
  const kafka = kafkaFromEnv('spine-tail');
  const admin = kafka.admin();
  await admin.connect();
  const bounds = await partitionBounds(admin, topic);
  const starts = from ? await offsetsAt(admin, topic, from, bounds) : undefined;
  await admin.disconnect();

  const decoder = new RecordDecoder();
  const view = async (partition: number, message: KafkaMessage): Promise<Shown | undefined> => {
    const decodedKey = await decoder.part(message.key, undefined);
    const keyText = decodedKey && 'json' in decodedKey ? (typeof decodedKey.json === 'string' ? decodedKey.json : JSON.stringify(decodedKey.json)) : message.key?.toString('utf8');
    if (key !== undefined && keyText !== key) return undefined;
    const value = await decoder.part(message.value);
    return {
      partition,
      offset: BigInt(message.offset),
      timestamp: Number(message.timestamp),
      view: { topic, partition, offset: message.offset, timestamp: timestampOf(message), ...partFields('key', decodedKey), ...partFields('value', value), headers: headersOf(message) },
    };
  };
  const print = (shown: Shown) => process.stdout.write(options.json ? `${JSON.stringify(shown.view)}\n` : human(shown));
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());

  let printed = 0;
  if (from && follow) {
    // Everything from the start, as it arrives (per partition in order), until Ctrl-C or --limit.
    const ranges = bounds.map((b) => ({ partition: b.partition, start: starts!.get(b.partition)! }));
    progress(`following ${topic} from ${options.from} (Ctrl-C to stop)`);
    await readRanges(kafka, topic, ranges, {
      purpose: 'tail',
      signal: stop.signal,
      onRecord: async (partition, message) => {
        const shown = await view(partition, message);
        if (shown) print(shown);
        if (shown && ++printed >= limit) stop.abort();
      },
    });
    return;
  }

  // The backlog: the first (--from) or last (default) `limit` matching records, merged across partitions by time.
  const scanWhole = key !== undefined && !from;
  const ranges: PartitionRange[] = bounds.map((b) => ({
    partition: b.partition,
    start: starts?.get(b.partition) ?? (scanWhole || b.high - b.low <= BigInt(limit) ? b.low : b.high - BigInt(limit)),
    end: b.high,
  }));
  const total = ranges.reduce((sum, r) => sum + Number(r.end! - r.start), 0);
  const kept = new Map<number, Shown[]>();
  let scanned = 0;
  if (total > 5_000) progress(`scanning ${total} records of ${topic}${key ? ` for key ${key}` : ''}`);
  await readRanges(kafka, topic, ranges, {
    purpose: 'tail',
    signal: stop.signal,
    onRecord: async (partition, message) => {
      if (++scanned % 5_000 === 0) progress(`scanned ${scanned} of ${total}`);
      const shown = await view(partition, message);
      if (!shown) return;
      const list = kept.get(partition) ?? [];
      kept.set(partition, list);
      list.push(shown);
      if (list.length > limit) list.shift(); // last-N: keep the newest
      if (from && list.length >= limit) return 'stop'; // first-N: this partition has enough
    },
  });
  const merged = [...kept.values()].flat().sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || Number(a.offset - b.offset));
  const backlog = from ? merged.slice(0, limit) : limit === 0 ? [] : merged.slice(-limit);
  for (const shown of backlog) print(shown);
  progress(`${backlog.length} record(s) of ${topic}${key ? ` with key ${key}` : ''}`);
  if (!follow || stop.signal.aborted) return;

  progress(`following ${topic} (Ctrl-C to stop)`);
  await readRanges(kafka, topic, bounds.map((b) => ({ partition: b.partition, start: b.high })), {
    purpose: 'tail',
    signal: stop.signal,
    onRecord: async (partition, message) => {
      const shown = await view(partition, message);
      if (shown) print(shown);
    },
  });
}

/** A registered topic by its declared name (`spine.ai.fraud-score.v1`) or its deployed name (prefix included). */
function topicNamed(name: string | undefined): TopicSpec {
  const found = name === undefined ? undefined : platform.topics.find((t) => t.name === name || deployedName(t) === name);
  if (found) return found;
  const prefix = deployment.prefix ? ` (deployed with the prefix "${deployment.prefix}")` : '';
  const known = platform.topics.map((t) => t.name).join(', ');
  throw new UsageError(name === undefined ? `tail needs a topic; registered topics: ${known}${prefix}` : `unknown topic "${name}"; registered topics: ${known}${prefix}`);
}

function stringOption(options: Record<string, string | true>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string') throw new UsageError(`--${name} needs a value`);
  return value;
}

function count(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`--limit "${raw}" is not a whole number`);
  return Number(raw);
}

function human({ view }: Shown): string {
  const part = (name: 'key' | 'value') => (view[`${name}Base64`] !== undefined ? `<${name} not decoded: ${String(view[`${name}Error`])}; base64 ${String(view[`${name}Base64`])}>` : JSON.stringify(view[name]));
  return `${String(view.timestamp)}  p${String(view.partition)}@${String(view.offset)}  ${part('key')}  ${part('value')}\n`;
}
