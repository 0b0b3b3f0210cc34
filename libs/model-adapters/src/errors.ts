import { DependencyUnavailableError, PermanentError, TransientError } from '@spine/runtime';

/**
 * What a model call can fail with, as the stage runtime's classes, so `classifyFailure` handles it as it should:
 * a refused input is permanent (dead-lettered), a slow or garbled reply transient (retried, then dead-lettered),
 * an unreachable, misconfigured or open-circuited backend an outage (redelivered later, never dead-lettered).
 * `reason` is the label of `spine_model_errors_total`.
 */

/** Token usage of a reply that still failed (an invalid structured output costs tokens too). */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** The attempt took longer than the adapter's `timeoutMs`; the request was aborted. */
export class ModelTimeoutError extends TransientError {
  readonly reason = 'timeout';
  constructor(
    readonly model: string,
    readonly timeoutMs: number,
  ) {
    super(`${model}: no answer within ${timeoutMs} ms (timeoutMs); the request was aborted`);
    this.name = 'ModelTimeoutError';
  }
}

/** The backend answered, but not with a usable result (not JSON, wrong shape, fails the output schema). */
export class InvalidModelOutputError extends TransientError {
  readonly reason = 'invalid_output';
  constructor(
    message: string,
    readonly usage?: TokenUsage,
  ) {
    super(message);
    this.name = 'InvalidModelOutputError';
  }
}

/** 429: retried after the server's `retry-after` (or backoff without one). */
export class ModelRateLimitedError extends TransientError {
  readonly reason = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'ModelRateLimitedError';
  }
}

/** 5xx other than gateway errors: the server failed on this request; may work on another try. */
export class ModelServerError extends TransientError {
  readonly reason: string;
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelServerError';
    this.reason = `http_${status}`;
  }
}

/** 4xx: the server refuses this input for good (bad shape, too large, invalid request). */
export class ModelInputRefusedError extends PermanentError {
  readonly reason: string;
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ModelInputRefusedError';
    this.reason = status === undefined ? 'bad_input' : `http_${status}`;
  }
}

/**
 * The backend cannot be used now: unreachable, a gateway error, not ready, unknown model or refused credentials
 * (configuration, not the record's fault). Records wait for it instead of being dead-lettered.
 */
export class ModelUnavailableError extends DependencyUnavailableError {
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    readonly reason: string,
    options?: ErrorOptions & { retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = 'ModelUnavailableError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The circuit breaker is open: the call failed fast without reaching the backend. */
export class CircuitOpenError extends DependencyUnavailableError {
  readonly reason = 'circuit_open';
  constructor(
    readonly model: string,
    readonly retryInMs: number,
  ) {
    super(`${model}: circuit open after repeated failures; calls fail fast, a probe is let through in ${Math.max(0, Math.round(retryInMs))} ms`);
    this.name = 'CircuitOpenError';
  }
}

/** A configuration that does not validate; `issues` name each field, as Spine's 400s do. */
export class AdapterConfigError extends Error {
  constructor(
    readonly issues: ReadonlyArray<{ field: string; message: string }>,
    subject: string,
  ) {
    super(`invalid model adapter configuration${subject ? ` (${subject})` : ''}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'AdapterConfigError';
  }
}

/** The label an error is counted under. */
export function reasonOf(error: unknown): string {
  const reason = (error as { reason?: unknown } | null)?.reason;
  if (typeof reason === 'string') return reason;
  return error instanceof Error ? error.name : 'unknown';
}

/** The server's requested wait, when the error carries one. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Token usage an error carries (see InvalidModelOutputError). */
export function usageOf(error: unknown): TokenUsage | undefined {
  return (error as { usage?: TokenUsage } | null)?.usage;
}
