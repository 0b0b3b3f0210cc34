import type { ModelGuard } from '@spine/schemas';

interface Call {
  readonly at: number;
  readonly ok: boolean;
  readonly timeout: boolean;
  readonly latencyMs: number;
  readonly score?: number;
}

/** A version's calls over the guard's window, as the guard judges them. */
export interface HealthSnapshot {
  readonly calls: number;
  readonly errorRate: number;
  readonly timeoutRate: number;
  readonly latencyP95Ms: number;
  /** Comparisons with the champion on the same records, and the share that agreed. */
  readonly compared: number;
  readonly agreement: number | null;
  readonly scores: readonly number[];
}

/** Sliding window of one version's calls and agreements, trimmed by time and bounded in size. */
export class VersionHealth {
  private calls: Call[] = [];
  private comparisons: Array<{ at: number; agreed: boolean }> = [];

  constructor(private readonly now: () => number = Date.now, private readonly maxEntries = 20_000) {}

  record(call: Omit<Call, 'at'>): void {
    this.calls.push({ ...call, at: this.now() });
    // Trimmed in chunks, not per call: a splice of a full window per record would cost O(window) each time.
    if (this.calls.length > this.maxEntries * 1.5) this.calls.splice(0, this.calls.length - this.maxEntries);
  }

  compare(agreed: boolean): void {
    this.comparisons.push({ at: this.now(), agreed });
    if (this.comparisons.length > this.maxEntries * 1.5) this.comparisons.splice(0, this.comparisons.length - this.maxEntries);
  }

  snapshot(windowMs: number): HealthSnapshot {
    const since = this.now() - windowMs;
    this.calls = this.calls.filter((c) => c.at >= since).slice(-this.maxEntries);
    this.comparisons = this.comparisons.filter((c) => c.at >= since).slice(-this.maxEntries);
    const n = this.calls.length;
    const latencies = this.calls.map((c) => c.latencyMs).sort((a, b) => a - b);
    const p95 = n ? latencies[Math.min(n - 1, Math.ceil(n * 0.95) - 1)]! : 0;
    const agreed = this.comparisons.filter((c) => c.agreed).length;
    return {
      calls: n,
      errorRate: n ? this.calls.filter((c) => !c.ok).length / n : 0,
      timeoutRate: n ? this.calls.filter((c) => c.timeout).length / n : 0,
      latencyP95Ms: p95,
      compared: this.comparisons.length,
      agreement: this.comparisons.length ? agreed / this.comparisons.length : null,
      scores: this.calls.flatMap((c) => (c.score === undefined ? [] : [c.score])),
    };
  }

  reset(): void {
    this.calls = [];
    this.comparisons = [];
  }
}

/**
 * Why a candidate should be rolled back, or null while it is within every bound (or has too few calls to judge).
 * `outputShift` is the PSI of its scores against the champion's, when both have scores.
 */
export function breachOf(health: HealthSnapshot, guard: ModelGuard, outputShift: number | null): string | null {
  if (health.calls >= guard.minCalls) {
    if (health.errorRate > guard.maxErrorRate) return `error rate ${pct(health.errorRate)} over ${health.calls} calls exceeds ${pct(guard.maxErrorRate)}`;
    if (health.timeoutRate > guard.maxTimeoutRate) return `timeout rate ${pct(health.timeoutRate)} over ${health.calls} calls exceeds ${pct(guard.maxTimeoutRate)}`;
    if (health.latencyP95Ms > guard.maxLatencyP95Ms) return `latency p95 ${Math.round(health.latencyP95Ms)} ms over ${health.calls} calls exceeds ${guard.maxLatencyP95Ms} ms`;
    if (guard.maxOutputShift > 0 && outputShift !== null && outputShift > guard.maxOutputShift) return `output shift (PSI vs champion) ${outputShift.toFixed(3)} exceeds ${guard.maxOutputShift}`;
  }
  if (guard.minAgreement > 0 && health.agreement !== null && health.compared >= guard.minCalls && health.agreement < guard.minAgreement) {
    return `agreement with the champion ${pct(health.agreement)} over ${health.compared} records is below ${pct(guard.minAgreement)}`;
  }
  return null;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
