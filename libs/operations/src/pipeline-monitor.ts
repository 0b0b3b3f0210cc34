import type { Admin } from 'kafkajs';
import { resolveTopic, type Deployment, type StageSpec, type TopicSpec } from '@spine/topology';
import { stageLag, type PartitionLag } from './lag.js';

/** A topic of the registry as deployed, with its size and how fast it grows. */
export interface TopicSample {
  readonly name: string;
  /** The registry's name (without the deployment prefix). */
  readonly declared: string;
  readonly exists: boolean;
  /** Records in the log (sum of end minus low watermark over partitions). */
  readonly records: number;
  /** Sum of end offsets. */
  readonly end: number;
  /** Records per second appended since the previous sample. */
  readonly rate: number;
}

/** A stage with its group's lag, members and rates. */
export interface StageSample {
  readonly name: string;
  readonly service: string;
  readonly group: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly deadLetter: string;
  readonly model: string | null;
  readonly instances: number;
  readonly lag: number;
  readonly partitions: readonly PartitionLag[];
  /** Records per second the group consumed (committed offsets' growth). */
  readonly rateIn: number;
  /** Records per second appended to its output topics. */
  readonly rateOut: number;
  /** Dead letters per second appended to its dead-letter topic. */
  readonly deadLetterRate: number;
  /** Dead letters on its topic now. */
  readonly deadLetters: number;
}

/** The pipeline at one instant. */
export interface PipelineSnapshot {
  readonly at: string;
  readonly intervalMs: number;
  readonly stages: readonly StageSample[];
  readonly topics: readonly TopicSample[];
}

/** One point of a stage's history, for charts. */
export interface StagePoint {
  readonly t: number;
  readonly lag: number;
  readonly rateIn: number;
  readonly rateOut: number;
  readonly deadLetterRate: number;
}

/**
 * Samples the pipeline through the Kafka admin API every `intervalMs` (end offsets of every registered topic,
 * committed offsets and members of every stage's group) and derives per-stage rates from the deltas. Keeps
 * the latest snapshot and a short history per stage (`historyPoints`).
 */
export class PipelineMonitor {
  private latest: PipelineSnapshot | undefined;
  private previous: { t: number; ends: Map<string, number>; consumed: Map<string, number> } | undefined;
  private readonly history = new Map<string, StagePoint[]>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PipelineSnapshot> | undefined;
  private readonly listeners = new Set<(snapshot: PipelineSnapshot) => void>();

  constructor(
    private readonly admin: Admin,
    private readonly stages: readonly StageSpec[],
    private readonly topics: readonly TopicSpec[],
    private readonly deployment: Deployment,
    private readonly options: { intervalMs?: number; historyPoints?: number } = {},
  ) {}

  get intervalMs(): number {
    return this.options.intervalMs ?? 2_000;
  }

  /** Takes the first sample, then one every interval. */
  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Called with each new snapshot; returns an unsubscribe function. */
  onSample(listener: (snapshot: PipelineSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The latest snapshot (sampling now when there is none yet). */
  async snapshot(): Promise<PipelineSnapshot> {
    return this.latest ?? this.sample();
  }

  /** A stage's recent points, oldest first. */
  historyOf(stage: string): readonly StagePoint[] {
    return this.history.get(stage) ?? [];
  }

  /** Samples now (concurrent callers share one sample). */
  sample(): Promise<PipelineSnapshot> {
    this.running ??= this.take().finally(() => (this.running = undefined));
    return this.running;
  }

  private async take(): Promise<PipelineSnapshot> {
    const t = Date.now();
    const existing = new Set(await this.admin.listTopics());
    const deployed = this.topics.map((spec) => ({ spec, name: resolveTopic(spec, this.deployment).name }));
    const offsets = new Map(
      await Promise.all(deployed.filter((d) => existing.has(d.name)).map(async (d) => [d.name, await this.admin.fetchTopicOffsets(d.name)] as const)),
    );
    const live = this.stages.filter((s) => s.inputs.every((i) => existing.has(resolveTopic(i, this.deployment).name)));
    const lags = new Map((await stageLag(this.admin, live, this.deployment)).map((l) => [l.stage, l]));
    const ends = new Map<string, number>();
    const topics: TopicSample[] = deployed.map(({ spec, name }) => {
      const parts = offsets.get(name) ?? [];
      const end = parts.reduce((sum, p) => sum + Number(p.high), 0);
      ends.set(name, end);
      const before = this.previous?.ends.get(name);
      return { name, declared: spec.name, exists: offsets.has(name), records: parts.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0), end, rate: this.rate(end, before, t) };
    });
    const consumed = new Map<string, number>();
    const stages: StageSample[] = this.stages.map((stage) => {
      const lag = lags.get(stage.name);
      const done = (lag?.partitions ?? []).reduce((sum, p) => sum + Number(p.end) - p.lag, 0);
      consumed.set(stage.name, done);
      const outputs = stage.outputs.map((o) => resolveTopic(o, this.deployment).name);
      const deadLetter = resolveTopic(stage.deadLetter, this.deployment).name;
      const grown = (names: string[]) => names.reduce((sum, n) => sum + this.rate(ends.get(n) ?? 0, this.previous?.ends.get(n), t), 0);
      const dlq = topics.find((x) => x.name === deadLetter);
      return {
        name: stage.name,
        service: stage.service,
        group: lag?.group ?? `${this.deployment.prefix}${stage.group}`,
        inputs: stage.inputs.map((i) => resolveTopic(i, this.deployment).name),
        outputs,
        deadLetter,
        model: stage.model?.name ?? null,
        instances: lag?.members ?? 0,
        lag: lag?.lag ?? 0,
        partitions: lag?.partitions ?? [],
        rateIn: this.rate(done, this.previous?.consumed.get(stage.name), t),
        rateOut: grown(outputs),
        deadLetterRate: grown([deadLetter]),
        deadLetters: dlq?.records ?? 0,
      };
    });
    this.previous = { t, ends, consumed };
    const snapshot: PipelineSnapshot = { at: new Date(t).toISOString(), intervalMs: this.intervalMs, stages, topics };
    for (const s of stages) {
      const points = this.history.get(s.name) ?? [];
      points.push({ t, lag: s.lag, rateIn: s.rateIn, rateOut: s.rateOut, deadLetterRate: s.deadLetterRate });
      if (points.length > (this.options.historyPoints ?? 900)) points.shift();
      this.history.set(s.name, points);
    }
    this.latest = snapshot;
    for (const listener of this.listeners) listener(snapshot);
    return snapshot;
  }

  private rate(now: number, before: number | undefined, t: number): number {
    if (before === undefined || !this.previous) return 0;
    const seconds = (t - this.previous.t) / 1_000;
    return seconds > 0 ? Math.max(0, (now - before) / seconds) : 0;
  }
}
