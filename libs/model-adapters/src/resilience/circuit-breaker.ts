import { CircuitOpenError } from '../errors.js';

export type CircuitState = 'closed' | 'half-open' | 'open';

export interface CircuitBreakerOptions {
  readonly enabled: boolean;
  readonly consecutiveFailures: number;
  readonly failureRate: number;
  readonly window: number;
  readonly minimumCalls: number;
  readonly cooldownMs: number;
}

/** How an attempt ended, for the breaker: the backend answered, failed, or the caller gave up (counts neither way). */
export type AttemptOutcome = 'success' | 'failure' | 'neutral';

/**
 * Closed → open after `consecutiveFailures` failed attempts in a row, or when `failureRate` of the last `window`
 * attempts failed (at least `minimumCalls` made). Open: every call fails fast with CircuitOpenError. After
 * `cooldownMs` one call is let through as a probe (half-open; the others still fail fast): its success closes the
 * circuit, its failure opens it for another cool-down.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private consecutive = 0;
  private readonly outcomes: Uint8Array;
  private recorded = 0;
  private next = 0;
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly model: string,
    private readonly options: CircuitBreakerOptions,
    private readonly onChange: (state: CircuitState) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.outcomes = new Uint8Array(options.window);
  }

  get state(): CircuitState {
    return this.current;
  }

  /** Before an attempt. Returns whether it is the half-open probe; throws CircuitOpenError when it must fail fast. */
  acquire(): boolean {
    if (!this.options.enabled || this.current === 'closed') return false;
    const waited = this.now() - this.openedAt;
    if (this.probing || (this.current === 'open' && waited < this.options.cooldownMs)) {
      throw new CircuitOpenError(this.model, this.probing ? 0 : this.options.cooldownMs - waited);
    }
    this.probing = true;
    this.transition('half-open');
    return true;
  }

  /** After an attempt that `acquire` let through. */
  record(outcome: AttemptOutcome, probe: boolean): void {
    if (!this.options.enabled || outcome === 'neutral') {
      if (probe) this.probing = false;
      return;
    }
    if (probe) {
      this.probing = false;
      if (outcome === 'success') this.close();
      else this.open();
      return;
    }
    if (this.current !== 'closed') return; // a straggler from before the circuit opened
    this.push(outcome === 'failure');
    if (outcome === 'success') {
      this.consecutive = 0;
      return;
    }
    this.consecutive += 1;
    const rateTripped = this.recorded >= this.options.minimumCalls && this.failures / this.recorded >= this.options.failureRate;
    if (this.consecutive >= this.options.consecutiveFailures || rateTripped) this.open();
  }

  private push(failed: boolean): void {
    if (this.recorded === this.outcomes.length) this.failures -= this.outcomes[this.next]!;
    else this.recorded += 1;
    this.outcomes[this.next] = failed ? 1 : 0;
    this.failures += failed ? 1 : 0;
    this.next = (this.next + 1) % this.outcomes.length;
  }

  private open(): void {
    this.openedAt = this.now();
    this.transition('open');
  }

  private close(): void {
    this.consecutive = 0;
    this.recorded = 0;
    this.failures = 0;
    this.next = 0;
    this.outcomes.fill(0);
    this.transition('closed');
  }

  private transition(state: CircuitState): void {
    if (state === this.current) return;
    this.current = state;
    this.onChange(state);
  }
}
