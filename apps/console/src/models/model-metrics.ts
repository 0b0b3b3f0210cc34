import { modelDriftStage } from '@spine/platform';
import type { PromSample } from '@spine/operations';
import type { StageSpec } from '@spine/topology';
import { scrape } from '../live/service-metrics.js';

/** One version's numbers over one scrape interval. */
export interface VersionPoint {
  readonly t: number;
  /** Predictions per second. */
  readonly calls: number;
  /** Records this version answered on the stage since the service started (spine_model_routed_total), by routing (CHAMPION, AB, CANARY, SHADOW…). */
  readonly answered: Readonly<Record<string, number>>;
  /** Errors / predictions in the interval (0..1); null without predictions. */
  readonly errorRate: number | null;
  readonly timeoutRate: number | null;
  /** Mean prediction latency in the interval, ms. */
  readonly latencyMs: number | null;
  readonly cacheHitRate: number | null;
  /** Estimated USD since the service started. */
  readonly costTotal: number;
  /** Agreement with the champion (0..1), shadows and challengers. */
  readonly agreement: number | null;
  /** Highest PSI over the version's drift fields. */
  readonly drift: number | null;
}

type Totals = { errors: number; timeouts: number; count: number; sum: number; hits: number; misses: number };

const matches = (s: PromSample, name: string, labels: Record<string, string>) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);
const total = (samples: readonly PromSample[], name: string, labels: Record<string, string>, extra?: (s: PromSample) => boolean) =>
  samples.reduce((sum, s) => (matches(s, name, labels) && (!extra || extra(s)) ? sum + s.value : sum), 0);

/**
 * Per-version live numbers of every model stage, scraped from the model-serving services' Prometheus /metrics (and
 * PSI from model-drift) every `intervalMs`, kept as a small time series per stage and version (`points`: 360 = 30 min at 5 s).
 */
export class ModelMetrics {
  private readonly series = new Map<string, VersionPoint[]>();
  private readonly last = new Map<string, { t: number; totals: Totals }>();
  private timer: NodeJS.Timeout | undefined;
  /** Why the last scrape of a service failed, by service. */
  readonly errors = new Map<string, string>();

  constructor(
    private readonly stages: readonly StageSpec[],
    private readonly options: { intervalMs: number; points: number; onSample?: () => void },
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** `{ version: points }` of a stage. */
  of(stage: string): Record<string, VersionPoint[]> {
    const out: Record<string, VersionPoint[]> = {};
    for (const [key, points] of this.series) if (key.startsWith(`${stage}|`)) out[key.slice(stage.length + 1)] = points;
    return out;
  }

  async sample(): Promise<void> {
    const drift = await scrape(modelDriftStage.service);
    const psi = drift.ok ? drift.samples.filter((s) => s.name === 'spine_drift_psi') : [];
    await Promise.all(
      this.stages.filter((s) => s.model).map(async (stage) => {
        const scraped = await scrape(stage.service);
        if (!scraped.ok) {
          this.errors.set(stage.service, scraped.error);
          return;
        }
        this.errors.delete(stage.service);
        const model = stage.model!.name;
        const samples = scraped.samples;
        const versions = new Set(samples.filter((s) => s.labels.model === model && s.labels.version).map((s) => s.labels.version!));
        const t = Date.now();
        for (const version of versions) {
          const labels = { model, version };
          const totals: Totals = {
            errors: total(samples, 'spine_model_errors_total', labels),
            timeouts: total(samples, 'spine_model_errors_total', labels, (s) => s.labels.reason === 'timeout'),
            count: total(samples, 'spine_model_predict_duration_seconds_count', labels),
            sum: total(samples, 'spine_model_predict_duration_seconds_sum', labels),
            hits: total(samples, 'spine_inference_cache_requests_total', { ...labels, outcome: 'hit' }),
            misses: total(samples, 'spine_inference_cache_requests_total', { ...labels, outcome: 'miss' }),
          };
          const key = `${stage.name}|${version}`;
          const before = this.last.get(key);
          this.last.set(key, { t, totals });
          const d = (k: keyof Totals) => totals[k] - (before?.totals[k] ?? 0);
          const seconds = before ? (t - before.t) / 1_000 : 0;
          const agreement = samples.find((s) => matches(s, 'spine_model_agreement_ratio', { stage: stage.name, ...labels }));
          const answered: Record<string, number> = {};
          for (const s of samples) if (matches(s, 'spine_model_routed_total', { stage: stage.name, ...labels }) && s.labels.routing) answered[s.labels.routing] = (answered[s.labels.routing] ?? 0) + s.value;
          const drifts = psi.filter((s) => s.labels.version === version).map((s) => s.value);
          const point: VersionPoint = {
            t,
            calls: seconds > 0 ? d('count') / seconds : 0,
            answered,
            errorRate: d('count') > 0 ? d('errors') / d('count') : null,
            timeoutRate: d('count') > 0 ? d('timeouts') / d('count') : null,
            latencyMs: d('count') > 0 ? (d('sum') / d('count')) * 1_000 : null,
            cacheHitRate: d('hits') + d('misses') > 0 ? d('hits') / (d('hits') + d('misses')) : null,
            costTotal: total(samples, 'spine_model_cost_total', labels),
            agreement: agreement?.value ?? null,
            drift: drifts.length ? Math.max(...drifts) : null,
          };
          const points = this.series.get(key) ?? [];
          points.push(point);
          if (points.length > this.options.points) points.shift();
          this.series.set(key, points);
        }
      }),
    );
    this.options.onSample?.();
  }
}
