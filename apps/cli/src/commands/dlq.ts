import { RedriveMarks, showDeadLetters, summarizeDeadLetters, type DeadLetterSummary, type ShownLetter } from '@spine/operations';
import { kafkaFromEnv } from '@spine/runtime';
import { progress, UsageError } from '../args.js';
import { deployment, platform, stageNamed, stageNames, topicCodecs } from '../platform.js';
import { keepStdoutForData } from './record-json.js';

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
  const target = { kafka: kafkaFromEnv('spine-dlq'), deployment, topics: platform.topics, notice: progress };
  if (action === 'list') {
    const report = await summarizeDeadLetters(target, stage, await RedriveMarks.open(target.kafka, await topicCodecs()));
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : humanList(report));
  } else {
    const letters = await showDeadLetters(target, stage, whole(options, 'offset', 0), whole(options, 'limit', 10));
    process.stdout.write(options.json ? `${JSON.stringify(letters, null, 2)}\n` : humanShow(letters));
  }
}

function whole(options: Record<string, string | true>, name: string, fallback: number): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`--${name} needs a whole number`);
  return Number(raw);
}

function humanList(r: DeadLetterSummary): string {
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
