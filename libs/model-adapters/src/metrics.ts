import { Counter, Gauge, type Registry } from 'prom-client';
import type { FailureKind } from '@spine/runtime';
import type { AdapterDescription } from './adapter.js';
import { LocalHistogram } from './local-histogram.js';
import type { CircuitState } from './resilience/circuit-breaker.js';

const LABELS = ['model', 'version', 'kind'] as const;
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The adapter metric families of one registry (created once per registry, shared by its adapters). */
class AdapterMetricFamilies {
  readonly predictSeconds: LocalHistogram;
  readonly requestSeconds: LocalHistogram;
  readonly errors: Counter<string>;
  readonly retries: Counter<string>;
  readonly batchSize: LocalHistogram;
  readonly circuit: Gauge<string>;
  readonly tokens: Counter<string>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.predictSeconds = new LocalHistogram('spine_model_predict_duration_seconds', 'predict() calls as the caller sees them: queueing, batching, retries included', SECONDS, registry);
    this.requestSeconds = new LocalHistogram('spine_model_request_duration_seconds', 'Backend requests (attempts), by outcome', SECONDS, registry);
    this.errors = new Counter({ name: 'spine_model_errors_total', help: 'Failed attempts and fast failures, by failure kind (permanent, transient, outage) and reason', labelNames: [...LABELS, 'failure', 'reason'], registers });
    this.retries = new Counter({ name: 'spine_model_retries_total', help: 'Attempts that were retries', labelNames: [...LABELS], registers });
    this.batchSize = new LocalHistogram('spine_model_batch_size', 'Inputs per backend request', [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], registry);
    this.circuit = new Gauge({ name: 'spine_model_circuit_state', help: 'Circuit breaker: 0 closed, 1 half-open, 2 open', labelNames: [...LABELS], registers });
    this.tokens = new Counter({ name: 'spine_model_tokens_total', help: 'Tokens reported by the backend (prompt, completion)', labelNames: [...LABELS, 'type'], registers });
  }
}

const families = new WeakMap<Registry, AdapterMetricFamilies>();

/** Metrics of one model version: children bound to its labels once, so the hot path does no label lookups. */
export class AdapterMetrics {
  private readonly f: AdapterMetricFamilies;
  private readonly labels: Record<(typeof LABELS)[number], string>;
  readonly predictSeconds;
  readonly requestOk;
  readonly requestError;
  readonly retries;
  readonly batchSize;

  constructor(registry: Registry, model: AdapterDescription) {
    let f = families.get(registry);
    if (!f) families.set(registry, (f = new AdapterMetricFamilies(registry)));
    this.f = f;
    this.labels = { model: model.name, version: model.version, kind: model.kind };
    this.predictSeconds = f.predictSeconds.child(this.labels);
    this.requestOk = f.requestSeconds.child({ ...this.labels, outcome: 'ok' });
    this.requestError = f.requestSeconds.child({ ...this.labels, outcome: 'error' });
    this.retries = f.retries.labels(this.labels);
    this.batchSize = f.batchSize.child(this.labels);
    this.circuitState('closed');
  }

  error(failure: FailureKind, reason: string): void {
    this.f.errors.inc({ ...this.labels, failure, reason });
  }

  circuitState(state: CircuitState): void {
    this.f.circuit.set(this.labels, CIRCUIT_VALUE[state]);
  }

  tokens(promptTokens: number, completionTokens: number): void {
    this.f.tokens.inc({ ...this.labels, type: 'prompt' }, promptTokens);
    this.f.tokens.inc({ ...this.labels, type: 'completion' }, completionTokens);
  }
}
