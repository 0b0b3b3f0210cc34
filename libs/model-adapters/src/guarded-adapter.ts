import type { Registry } from 'prom-client';
import { backoffDelay, classifyFailure, type FailureKind } from '@spine/runtime';
import type { AdapterDescription, AdapterKind, Backend, BackendReply, ModelAdapter, PredictOptions } from './adapter.js';
import { RequestBatcher } from './batching/request-batcher.js';
import type { CommonConfig } from './config/common.js';
import { CircuitOpenError, InvalidModelOutputError, ModelRateLimitedError, ModelTimeoutError, reasonOf, retryAfterOf, usageOf } from './errors.js';
import { AdapterMetrics } from './metrics.js';
import { CircuitBreaker } from './resilience/circuit-breaker.js';
import { Limiter, sleep } from './resilience/limiter.js';

export interface GuardContext {
  readonly registry: Registry;
  /** Clock of the circuit breaker (tests). */
  readonly now?: () => number;
}

/** A failure caused by the caller's own signal: passed on as it is, counted neither way. */
class CallerAborted {
  constructor(readonly reason: unknown) {}
}

/**
 * The part every adapter shares, around a backend's single request: bounded concurrency, a timeout per attempt
 * (and the caller's signal), retries with exponential backoff and jitter (honouring retry-after), a circuit
 * breaker, micro-batching where the backend takes batches, and metrics per model version.
 */
export class GuardedAdapter<I, O> implements ModelAdapter<I, O> {
  private readonly description: AdapterDescription;
  private readonly limiter: Limiter;
  private readonly breaker: CircuitBreaker;
  private readonly metrics: AdapterMetrics;
  private readonly batcher: RequestBatcher<I, O> | undefined;
  private readonly chunk: number;
  private readonly label: string;

  constructor(
    private readonly backend: Backend<I, O>,
    private readonly config: CommonConfig & { readonly kind: AdapterKind },
    context: GuardContext,
  ) {
    this.description = Object.freeze({ name: config.name, version: config.version, kind: config.kind, target: backend.target });
    this.label = `${config.name}@${config.version} (${config.kind} ${backend.target})`;
    this.metrics = new AdapterMetrics(context.registry, this.description);
    this.limiter = new Limiter(config.maxConcurrency);
    this.breaker = new CircuitBreaker(this.label, config.circuitBreaker, (state) => this.metrics.circuitState(state), context.now);
    this.chunk = Math.max(1, Math.min(backend.maxBatchSize, config.batching.enabled ? config.batching.maxSize : backend.maxBatchSize));
    this.batcher =
      config.batching.enabled && backend.maxBatchSize > 1 ? new RequestBatcher<I, O>((inputs, signal) => this.runMerged(inputs, signal), this.chunk, config.batching.maxWaitMs) : undefined;
  }

  describe(): AdapterDescription {
    return this.description;
  }

  async predict(inputs: readonly I[], { signal }: PredictOptions): Promise<O[]> {
    if (inputs.length === 0) return [];
    const start = performance.now();
    try {
      return this.batcher ? await this.batcher.submit(inputs, signal) : await this.direct(inputs, signal);
    } finally {
      this.metrics.predictSeconds.observe((performance.now() - start) / 1000);
    }
  }

  async ready({ signal }: PredictOptions): Promise<void> {
    await this.backend.ready?.(signal);
  }

  async metadata({ signal }: PredictOptions): Promise<AdapterDescription & { readonly backend?: unknown }> {
    const backend = await this.backend.metadata?.(signal);
    return backend === undefined ? this.description : { ...this.description, backend };
  }

  async close(): Promise<void> {
    this.batcher?.close();
    await this.backend.close?.();
  }

  /** Without batching: the call's own inputs, in requests of at most the backend's batch size. */
  private async direct(inputs: readonly I[], signal: AbortSignal): Promise<O[]> {
    if (inputs.length <= this.chunk) return this.call(inputs, signal);
    const parts: Promise<O[]>[] = [];
    for (let i = 0; i < inputs.length; i += this.chunk) parts.push(this.call(inputs.slice(i, i + this.chunk), signal));
    return (await Promise.all(parts)).flat();
  }

  /**
   * A merged batch of several callers' inputs. When it fails as a whole, for a reason that may lie in one input
   * (a refused input, a server error, a garbled reply), each input is tried alone, so one poison input does not fail
   * its batch-mates; load-related failures (timeouts, rate limits, outages) are not multiplied that way.
   */
  private async runMerged(inputs: I[], signal: AbortSignal): Promise<ReadonlyArray<O | Error>> {
    try {
      return await this.call(inputs, signal);
    } catch (error) {
      const loadRelated = error instanceof ModelTimeoutError || error instanceof ModelRateLimitedError || classifyFailure(error) === 'outage';
      if (inputs.length === 1 || loadRelated || signal.aborted) throw error;
      return Promise.all(inputs.map((input) => this.call([input], signal).then((o) => o[0]!, (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
    }
  }

  /** One request with its retries. */
  private async call(batch: readonly I[], signal: AbortSignal): Promise<O[]> {
    const retries = this.config.retries;
    for (let attempt = 1; ; attempt += 1) {
      let error: unknown;
      try {
        return await this.attempt(batch, signal);
      } catch (e) {
        if (e instanceof CallerAborted) throw e.reason;
        error = e;
      }
      const failure = classifyFailure(error);
      if (failure === 'permanent' || attempt >= retries.maxAttempts || error instanceof CircuitOpenError) throw error;
      const requested = retryAfterOf(error);
      if (requested !== undefined && requested > retries.maxRetryAfterMs) throw error;
      await sleep(requested ?? backoffDelay(retries, attempt), signal);
      this.metrics.retries.inc();
    }
  }

  /** One attempt: a concurrency slot, the circuit, the request under its timeout. */
  private async attempt(batch: readonly I[], signal: AbortSignal): Promise<O[]> {
    try {
      await this.limiter.acquire(signal);
    } catch (e) {
      throw new CallerAborted(e);
    }
    let probe = false;
    try {
      probe = this.breaker.acquire();
    } catch (e) {
      this.limiter.release();
      this.count('outage', e);
      throw e;
    }
    const start = performance.now();
    try {
      const reply = await this.request(batch, signal);
      if (reply.usage) this.metrics.tokens(reply.usage.promptTokens, reply.usage.completionTokens);
      if (reply.outputs.length !== batch.length) throw new InvalidModelOutputError(`${this.label}: ${reply.outputs.length} outputs for ${batch.length} inputs`);
      this.metrics.requestOk.observe((performance.now() - start) / 1000);
      this.metrics.batchSize.observe(batch.length);
      this.breaker.record('success', probe);
      return reply.outputs as O[];
    } catch (error) {
      this.metrics.requestError.observe((performance.now() - start) / 1000);
      if (error instanceof CallerAborted) {
        this.breaker.record('neutral', probe);
        throw error;
      }
      const usage = usageOf(error);
      if (usage) this.metrics.tokens(usage.promptTokens, usage.completionTokens);
      const failure = this.count(classifyFailure(error), error);
      // A refused input proves the backend answers: it counts as a success for the breaker.
      this.breaker.record(failure === 'permanent' ? 'success' : 'failure', probe);
      throw error;
    } finally {
      this.limiter.release();
    }
  }

  /**
   * The backend's request under the timeout and the caller's signal: its signal aborts on either, and the attempt
   * ends then even if the backend ignores its signal. A synchronous answer (an in-process function) needs neither:
   * it has already run.
   */
  private request(batch: readonly I[], signal: AbortSignal): BackendReply<O> | Promise<BackendReply<O>> {
    const controller = new AbortController();
    const pending = this.backend.invoke(batch, controller.signal);
    if (typeof (pending as { then?: unknown }).then !== 'function') return pending as BackendReply<O>;
    const timeoutMs = this.config.timeoutMs;
    return new Promise<BackendReply<O>>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onCallerAbort);
      };
      const onCallerAbort = () => {
        settle();
        reject(new CallerAborted(signal.reason));
        controller.abort(signal.reason);
      };
      const timer = setTimeout(() => {
        settle();
        const error = new ModelTimeoutError(this.label, timeoutMs);
        reject(error);
        controller.abort(error);
      }, timeoutMs);
      signal.addEventListener('abort', onCallerAbort, { once: true });
      (pending as Promise<BackendReply<O>>).then(
        (reply) => {
          settle();
          resolve(reply);
        },
        (error: unknown) => {
          settle();
          reject(signal.aborted ? new CallerAborted(signal.reason) : error);
        },
      );
    });
  }

  private count(failure: FailureKind, error: unknown): FailureKind {
    this.metrics.error(failure, reasonOf(error));
    return failure;
  }
}
