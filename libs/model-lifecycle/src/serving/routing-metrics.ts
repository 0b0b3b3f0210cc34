import { Counter, Gauge, type Registry } from 'prom-client';
import type { ModelVersionView } from '../control/control-state.js';

/** Metrics of the model router, per stage and version (the adapters add theirs: latency, errors, tokens, batch size). */
export class RoutingMetrics {
  readonly routed: Counter<'stage' | 'model' | 'version' | 'routing'>;
  readonly calls: Counter<'model' | 'version'>;
  readonly agreement: Gauge<'stage' | 'model' | 'version'>;
  readonly rollbacks: Counter<'stage' | 'version' | 'bound'>;
  readonly shadowFailures: Counter<'stage' | 'version'>;
  readonly fallbacks: Counter<'stage' | 'version'>;
  private readonly costs = new Map<string, { view: ModelVersionView; model: string; version: string; perCall: number; perThousandTokens: number }>();
  /** Label children bound once: the hot path does no label lookups. */
  private readonly routedChildren = new Map<string, { inc(): void }>();
  private readonly callChildren = new Map<string, { inc(): void }>();

  constructor(private readonly registry: Registry) {
    const registers = [registry];
    this.routed = counter(registry, 'spine_model_routed_total', 'Records answered, by the version that answered and how the router chose it', ['stage', 'model', 'version', 'routing']);
    this.calls = counter(registry, 'spine_model_calls_total', 'Model calls made (cache hits excluded), per version', ['model', 'version']);
    this.agreement = gauge(registry, 'spine_model_agreement_ratio', "Share of a candidate's answers that agreed with the champion on the same records, over the guard's window", ['stage', 'model', 'version']);
    this.rollbacks = counter(registry, 'spine_model_rollbacks_total', 'Automatic rollbacks this instance made, by the bound crossed', ['stage', 'version', 'bound']);
    this.shadowFailures = counter(registry, 'spine_model_shadow_failures_total', 'Shadow calls that failed (the record was answered by the champion regardless)', ['stage', 'version']);
    this.fallbacks = counter(registry, 'spine_model_fallbacks_total', 'Records whose chosen candidate failed and the champion answered', ['stage', 'version']);
    const costs = this.costs;
    const calls = this.calls;
    const existing = registry.getSingleMetric('spine_model_cost_total');
    if (!existing) {
      new Gauge({
        name: 'spine_model_cost_total',
        help: 'Estimated cost in USD per model version: calls × costPerCall + reported tokens / 1000 × costPerThousandTokens',
        labelNames: ['model', 'version'],
        registers,
        async collect() {
          this.reset();
          const tokens = (await registry.getSingleMetric('spine_model_tokens_total')?.get())?.values ?? [];
          const callValues = (await calls.get()).values;
          for (const c of costs.values()) {
            const n = callValues.filter((v) => v.labels.model === c.model && v.labels.version === c.version).reduce((s, v) => s + v.value, 0);
            const t = tokens.filter((v) => v.labels.model === c.model && v.labels.version === c.version).reduce((s, v) => s + v.value, 0);
            this.set({ model: c.model, version: c.version }, n * c.perCall + (t / 1000) * c.perThousandTokens);
          }
        },
      });
    }
  }

  /** Prices of a version, for the cost gauge (once per registration). */
  price(view: ModelVersionView): void {
    const key = `${view.model}@${view.version}`;
    if (this.costs.get(key)?.view === view) return;
    this.costs.set(key, { view, model: view.model, version: view.version, perCall: view.costPerCall, perThousandTokens: view.costPerThousandTokens });
  }

  countRouted(stage: string, model: string, version: string, routing: string): void {
    const key = `${stage}\0${version}\0${routing}`;
    let child = this.routedChildren.get(key);
    if (!child) this.routedChildren.set(key, (child = this.routed.labels({ stage, model, version, routing })));
    child.inc();
  }

  countCall(model: string, version: string): void {
    const key = `${model}\0${version}`;
    let child = this.callChildren.get(key);
    if (!child) this.callChildren.set(key, (child = this.calls.labels({ model, version })));
    child.inc();
  }
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  return (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [registry] });
}
