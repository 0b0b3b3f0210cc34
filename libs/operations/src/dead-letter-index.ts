import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS } from '@spine/runtime';
import { resolveTopic, type StageSpec } from '@spine/topology';
import { decodeDeadLetter, type DecodingContext, type ShownLetter } from './dead-letter-decoding.js';
import type { OperationsTarget } from './dead-letters.js';
import { headersOf } from './record-decoder.js';
import { silent } from './notice.js';
import type { RedriveMarks } from './redrive-marks.js';
import { redriveGroupOf } from './redrive.js';

/** One dead letter as the index keeps it: its cause, for filtering, and the raw record, for decoding and re-driving. */
export interface IndexedLetter {
  readonly stage: string;
  readonly partition: number;
  readonly offset: string;
  readonly failedAt: string;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly sourceTopic: string;
  readonly message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset' | 'timestamp'>;
}

/** Which dead letters of a stage to list. */
export interface LetterQuery {
  readonly errorClass?: string;
  /** ISO-8601 or epoch ms: failed at or after. */
  readonly since?: number;
  /** Failed before. */
  readonly until?: number;
  /** Skip this many of the matching (newest first). */
  readonly skip?: number;
  readonly limit?: number;
}

/** A page of a stage's dead letters, newest first, decoded. */
export interface LetterPage {
  readonly stage: string;
  readonly topic: string;
  readonly total: number;
  readonly matched: number;
  readonly letters: Array<ShownLetter & { failedAt: string; redriven: boolean }>;
}

/** A stage's dead letters at a glance, from the index. */
export interface IndexSummary {
  readonly stage: string;
  readonly topic: string;
  readonly count: number;
  readonly pending: number;
  readonly newestAt: string | null;
  readonly errorClasses: Array<{ errorClass: string; count: number }>;
}

/**
 * Every stage's dead letters, tailed live into memory (a consumer of a throwaway group that never commits, deleted
 * on stop), so a console lists, filters and pages through tens of thousands of them in milliseconds. Keeps at most
 * `maxPerStage` (the newest) per stage. Which ones were re-driven: below the redrive group's committed offsets
 * (refreshed every few seconds), marked by `markRedriven`, or marked on the re-drive marks topic when it started.
 */
export class DeadLetterIndex {
  private readonly letters = new Map<string, IndexedLetter[]>();
  private readonly redrivenOne = new Set<string>();
  private redriveCommitted = new Map<string, Map<number, bigint>>();
  private readonly stageOfTopic = new Map<string, StageSpec>();
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private refresh: NodeJS.Timeout | undefined;
  private readonly groupId: string;

  constructor(
    private readonly target: OperationsTarget,
    private readonly stages: readonly StageSpec[],
    private readonly decoding: DecodingContext,
    private readonly options: { maxPerStage?: number; refreshMs?: number; marks?: () => Promise<RedriveMarks> } = {},
  ) {
    for (const s of stages) {
      this.stageOfTopic.set(resolveTopic(s.deadLetter, target.deployment).name, s);
      this.letters.set(s.name, []);
    }
    this.groupId = `${target.deployment.prefix}spine.console.dead-letters.${randomUUID()}`;
  }

  /** Subscribes to every dead-letter topic that exists and starts reading from the beginning. */
  async start(): Promise<void> {
    this.admin = this.target.kafka.admin();
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const topics = [...this.stageOfTopic.keys()].filter((t) => existing.has(t));
    await this.refreshRedriven();
    await this.loadMarks();
    this.refresh = setInterval(() => void this.refreshRedriven().catch(() => undefined), this.options.refreshMs ?? 3_000);
    this.refresh.unref();
    if (!topics.length) return;
    this.consumer = this.target.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachMessage: async ({ topic, partition, message }) => this.add(topic, partition, message) });
  }

  async stop(): Promise<void> {
    clearInterval(this.refresh);
    await this.consumer?.disconnect();
    await this.admin?.deleteGroups([this.groupId]).catch(() => undefined);
    await this.admin?.disconnect();
  }

  /** Letters re-driven one by one before this index started (by this console before a restart, or another one). */
  private async loadMarks(): Promise<void> {
    if (!this.options.marks) return;
    try {
      const all = await (await this.options.marks()).loadAll();
      for (const [topic, marked] of all) {
        const stage = this.stageOfTopic.get(topic);
        if (stage) this.markRedriven(stage.name, [...marked.values()]);
      }
    } catch (error) {
      // Only the "re-driven" flags depend on them; a later re-drive of everything still skips the marked records.
      (this.target.notice ?? silent)(`could not read the re-drive marks: ${(error as Error).message}`);
    }
  }

  /** Records `letters` as re-driven one by one (the redrive group did not move). */
  markRedriven(stage: string, letters: ReadonlyArray<{ partition: number; offset: string }>): void {
    for (const l of letters) this.redrivenOne.add(`${stage}/${l.partition}/${l.offset}`);
  }

  /** Whether a letter was re-driven, by the redrive group or one by one. */
  isRedriven(letter: Pick<IndexedLetter, 'stage' | 'partition' | 'offset'>): boolean {
    if (this.redrivenOne.has(`${letter.stage}/${letter.partition}/${letter.offset}`)) return true;
    const committed = this.redriveCommitted.get(letter.stage)?.get(letter.partition);
    return committed !== undefined && BigInt(letter.offset) < committed;
  }

  /** Every stage's counts, pending and error classes. */
  summaries(): IndexSummary[] {
    return this.stages.map((stage) => {
      const all = this.letters.get(stage.name)!;
      const classes = new Map<string, number>();
      let pending = 0;
      for (const l of all) {
        classes.set(l.errorClass, (classes.get(l.errorClass) ?? 0) + 1);
        if (!this.isRedriven(l)) pending++;
      }
      return {
        stage: stage.name,
        topic: resolveTopic(stage.deadLetter, this.target.deployment).name,
        count: all.length,
        pending,
        newestAt: all.length ? all.reduce((m, l) => (l.failedAt > m ? l.failedAt : m), all[0]!.failedAt) : null,
        errorClasses: [...classes].map(([errorClass, count]) => ({ errorClass, count })).sort((a, b) => b.count - a.count || a.errorClass.localeCompare(b.errorClass)),
      };
    });
  }

  /** A page of a stage's dead letters matching `query`, newest first, each decoded. */
  async page(stage: StageSpec, query: LetterQuery = {}): Promise<LetterPage> {
    const all = this.letters.get(stage.name) ?? [];
    const matching = this.matching(stage.name, query);
    const skip = query.skip ?? 0;
    const chosen = matching.slice(skip, skip + (query.limit ?? 50));
    const letters = await Promise.all(chosen.map(async (l) => ({ ...(await decodeDeadLetter(l.partition, l.message, this.decoding)), failedAt: l.failedAt, redriven: this.isRedriven(l) })));
    return { stage: stage.name, topic: resolveTopic(stage.deadLetter, this.target.deployment).name, total: all.length, matched: matching.length, letters };
  }

  /** The stage's letters matching the filter (no paging), newest first. */
  matching(stage: string, query: Pick<LetterQuery, 'errorClass' | 'since' | 'until'> = {}): IndexedLetter[] {
    const all = this.letters.get(stage) ?? [];
    const out: IndexedLetter[] = [];
    for (let i = all.length - 1; i >= 0; i--) {
      const l = all[i]!;
      if (query.errorClass && l.errorClass !== query.errorClass) continue;
      const at = Date.parse(l.failedAt);
      if (query.since !== undefined && at < query.since) continue;
      if (query.until !== undefined && at >= query.until) continue;
      out.push(l);
    }
    return out;
  }

  /** One letter by position, if the index holds it. */
  find(stage: string, partition: number, offset: string): IndexedLetter | undefined {
    return this.letters.get(stage)?.find((l) => l.partition === partition && l.offset === offset);
  }

  /** How many letters the index holds for a stage. */
  count(stage: string): number {
    return this.letters.get(stage)?.length ?? 0;
  }

  private add(topic: string, partition: number, message: KafkaMessage): void {
    const stage = this.stageOfTopic.get(topic);
    if (!stage) return;
    const headers = headersOf(message);
    const list = this.letters.get(stage.name)!;
    list.push({
      stage: stage.name,
      partition,
      offset: message.offset,
      failedAt: headers[DLQ_HEADERS.failedAt] ?? new Date(Number(message.timestamp)).toISOString(),
      errorClass: headers[DLQ_HEADERS.errorClass] ?? '(no cause header)',
      errorMessage: headers[DLQ_HEADERS.errorMessage] ?? '',
      sourceTopic: headers[DLQ_HEADERS.sourceTopic] ?? '(unknown)',
      message: { key: message.key, value: message.value, headers: message.headers ?? {}, offset: message.offset, timestamp: message.timestamp },
    });
    const max = this.options.maxPerStage ?? 100_000;
    if (list.length > max) list.splice(0, list.length - max);
  }

  private async refreshRedriven(): Promise<void> {
    if (!this.admin) return;
    const next = new Map<string, Map<number, bigint>>();
    await Promise.all(
      this.stages.map(async (stage) => {
        const topic = resolveTopic(stage.deadLetter, this.target.deployment).name;
        const offsets = await this.admin!.fetchOffsets({ groupId: redriveGroupOf(stage, this.target.deployment), topics: [topic] });
        next.set(stage.name, new Map((offsets[0]?.partitions ?? []).filter((p) => p.offset !== '-1').map((p) => [p.partition, BigInt(p.offset)])));
      }),
    );
    this.redriveCommitted = next;
  }
}
