import type { Metric, Registry } from 'prom-client';

export interface HistogramChild {
  observe(value: number): void;
}

interface Child extends HistogramChild {
  readonly labels: Readonly<Record<string, string>>;
  /** Per bucket, not cumulative; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram for the per-call path, registered on a prom-client registry like any metric and exposed in
 * the same format. Each label set is a child with plain counters: prom-client's own observe validates and hashes
 * the labels on every call (~0.5 µs, several times a predict), which is most of an in-process adapter's overhead.
 */
export class LocalHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, Child>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The child of one label set (created once; keep it). */
  child(labels: Readonly<Record<string, string>>): HistogramChild {
    const key = JSON.stringify(labels);
    let child = this.children.get(key);
    if (!child) {
      const buckets = this.buckets;
      const counts = new Float64Array(buckets.length + 1);
      const c: Child = {
        labels,
        counts,
        sum: 0,
        count: 0,
        observe(value: number) {
          let i = 0;
          while (i < buckets.length && value > buckets[i]!) i += 1;
          counts[i]! += 1;
          c.sum += value;
          c.count += 1;
        },
      };
      child = c;
      this.children.set(key, child);
    }
    return child;
  }

  async get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const child of this.children.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += child.counts[i]!;
        values.push({ labels: { ...child.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...child.labels, le: '+Inf' }, value: child.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...child.labels }, value: child.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...child.labels }, value: child.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const child of this.children.values()) {
      child.counts.fill(0);
      child.sum = 0;
      child.count = 0;
    }
  }
}
