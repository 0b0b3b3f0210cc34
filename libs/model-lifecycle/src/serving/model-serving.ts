import { PermanentError } from '@spine/runtime';
import { inputHash, type InferenceCache } from '@spine/inference-cache';
import { ModelTimeoutError } from '@spine/model-adapters';
import type { ModelInfo, ModelRouting, StageRouting } from '@spine/schemas';
import type { StageSpec } from '@spine/topology';
import type { Registry } from 'prom-client';
import type { ModelVersionView } from '../control/control-state.js';
import type { ModelControl } from '../control/model-control.js';
import { bucketOf, route } from '../routing/route.js';
import { AdapterPool } from './adapter-pool.js';
import { CoalescedCache } from './coalesced-cache.js';
import type { ModelBinding } from './binding.js';
import { RoutingMetrics } from './routing-metrics.js';
import { VersionHealth } from './version-health.js';

/** One answer: the output, and the ModelInfo the result records. */
export interface Answer<O> {
  readonly output: O;
  readonly model: ModelInfo;
}

/** What the router answers for one record: the primary answer, and one per shadow version (for the shadow topic). */
export interface Served<O> extends Answer<O> {
  readonly shadows: ReadonlyArray<Answer<O>>;
}

export interface ModelServingDeps {
  readonly control: ModelControl;
  readonly registry: Registry;
  /** Shared inference cache (PostgreSQL); versions registered with cacheTtlMs > 0 use it. */
  readonly cache?: InferenceCache;
  readonly baseDir?: string;
  readonly now?: () => number;
}

/**
 * The model router of one stage: for each record it picks the version from the stage's routing on the control topic
 * (sticky per key: canary buckets, A/B arms, champion), answers from the inference cache or the version's adapter,
 * falls back to the champion when a candidate fails, escalates unconfident answers along a cascade, and runs the shadow
 * versions on the same input. Every call feeds the version's health window, which the ModelGuard judges.
 */
export class ModelServing<I, O> {
  readonly model: string;
  private readonly pool: AdapterPool<I, O>;
  readonly metrics: RoutingMetrics;
  private readonly health = new Map<string, VersionHealth>();
  private readonly cache: CoalescedCache | undefined;
  private readonly now: () => number;

  constructor(
    readonly stage: StageSpec,
    private readonly binding: ModelBinding<I, O>,
    private readonly deps: ModelServingDeps,
  ) {
    if (!stage.model) throw new Error(`stage ${stage.name} declares no model in the registry (model: { name, defaultVersion, shadow })`);
    this.model = stage.model.name;
    const fn = `${stage.model.name}@${stage.model.defaultVersion}`;
    if (!binding.functions[fn]) throw new Error(`stage ${stage.name}: the registry's default version needs the in-process function "${fn}"; the binding has ${Object.keys(binding.functions).join(', ') || 'none'}`);
    this.pool = new AdapterPool(binding, deps.registry, deps.baseDir);
    this.metrics = new RoutingMetrics(deps.registry);
    this.now = deps.now ?? Date.now;
    this.cache = deps.cache ? new CoalescedCache(deps.cache) : undefined;
  }

  get routing(): StageRouting {
    return this.deps.control.routing(this.stage.name);
  }

  /** The health window of a version on this instance. */
  healthOf(version: string): VersionHealth {
    let h = this.health.get(version);
    if (!h) this.health.set(version, (h = new VersionHealth(this.now)));
    return h;
  }

  async serve(key: string | null, input: I, signal: AbortSignal): Promise<Served<O>> {
    const routing = this.routing;
    // Hash the key only when the routing splits keys at all (most of the time everything goes to the champion).
    const split = routing.canary !== null || routing.splits.length > 0;
    const decision = route(routing, key === null || !split ? null : bucketOf(this.stage.name, key));
    const shadows = routing.shadows.filter((v) => v !== decision.version);
    const shadowAnswers = shadows.length ? this.shadowsOf(shadows, input, signal, routing) : Promise.resolve([]);
    let primary: Answer<O>;
    if (decision.version === routing.champion) {
      primary = await this.answer(routing.champion, 'CHAMPION', input, signal, routing);
    } else {
      try {
        primary = await this.answer(decision.version, decision.routing, input, signal, routing);
      } catch (error) {
        if (signal.aborted) throw error;
        // A candidate's failure is the candidate's: the champion answers, the guard counts it.
        this.metrics.fallbacks.inc({ stage: this.stage.name, version: decision.version });
        primary = await this.answer(routing.champion, 'FALLBACK', input, signal, routing, decision.version);
      }
    }
    primary = await this.escalated(primary, routing, input, signal);
    this.metrics.countRouted(this.stage.name, this.model, primary.model.version, primary.model.routing);
    const shadowed = await shadowAnswers;
    // Quality signal: a shadow agreeing with what the champion answered for the same record.
    if (this.binding.agree && primary.model.version === routing.champion) {
      for (const s of shadowed) this.healthOf(s.model.version).compare(this.binding.agree(primary.output, s.output));
    }
    return { ...primary, shadows: shadowed };
  }

  /**
   * The shadow versions' answers. A shadow may take at most twice the guard's latency bound: a slow shadow is cut off
   * (and counted as a timeout against it) rather than holding up the record the champion already answered.
   */
  private async shadowsOf(versions: readonly string[], input: I, signal: AbortSignal, routing: StageRouting): Promise<Array<Answer<O>>> {
    const budget = AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, routing.guard.maxLatencyP95Ms * 2))]);
    const settled = await Promise.allSettled(versions.map((v) => this.answer(v, 'SHADOW', input, budget, routing)));
    return settled.flatMap((s, i) => {
      if (s.status === 'fulfilled') return [s.value];
      this.metrics.shadowFailures.inc({ stage: this.stage.name, version: versions[i]! });
      return [];
    });
  }

  private async escalated(first: Answer<O>, routing: StageRouting, input: I, signal: AbortSignal): Promise<Answer<O>> {
    const cascade = routing.cascade;
    if (!cascade || !this.binding.confidence || first.model.version === cascade.version) return first;
    const confidence = first.model.confidence ?? this.binding.confidence(first.output);
    if (confidence >= cascade.belowConfidence) return first;
    const big = await this.answer(cascade.version, 'CASCADE', input, signal, routing);
    return { output: big.output, model: { ...big.model, escalatedFrom: first.model.version } };
  }

  /** One version's answer: from the cache when it holds one, else from the adapter (then cached). */
  private async answer(version: string, routing: ModelRouting, input: I, signal: AbortSignal, state: StageRouting, arm?: string): Promise<Answer<O>> {
    const view = this.deps.control.state.version(this.model, version);
    if (!view) throw new PermanentError(`model ${this.model} has no version "${version}" on the control topic (routing revision ${state.revision})`);
    this.metrics.price(view);
    const info = (output: O, cacheHit: boolean): ModelInfo => ({
      name: this.model,
      version,
      routing,
      arm: arm ?? (routing === 'AB' || routing === 'CANARY' ? version : null),
      revision: state.revision,
      cacheHit,
      escalatedFrom: null,
      confidence: this.binding.confidence ? clamp01(this.binding.confidence(output)) : null,
    });
    const cache = view.cacheTtlMs > 0 ? this.cache : undefined;
    const hash = cache ? inputHash(this.binding.cacheKey ? this.binding.cacheKey(input) : input) : '';
    if (cache) {
      const hit = await cache.get<O>(this.model, version, hash, view.cacheTtlMs);
      if (hit) return { output: hit.output, model: info(hit.output, true) };
    }
    const output = await this.call(view, input, signal);
    if (cache) await cache.put(this.model, version, hash, output);
    return { output, model: info(output, false) };
  }

  private async call(view: ModelVersionView, input: I, signal: AbortSignal): Promise<O> {
    const health = this.healthOf(view.version);
    const started = performance.now();
    try {
      const adapter = await this.pool.get(view);
      const [output] = await adapter.predict([input], { signal });
      this.metrics.countCall(this.model, view.version);
      health.record({ ok: true, timeout: false, latencyMs: performance.now() - started, ...(this.binding.score ? { score: this.binding.score(output!) } : {}) });
      return output!;
    } catch (error) {
      health.record({ ok: false, timeout: error instanceof ModelTimeoutError || (signal.aborted && !(error instanceof PermanentError)), latencyMs: performance.now() - started });
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0;
}
