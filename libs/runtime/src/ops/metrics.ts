import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process; label `stage` separates stages hosted together. */
export class SpineMetrics {
  readonly registry = new Registry();
  readonly recordsIn = new Counter({ name: 'spine_records_in_total', help: 'Records consumed', labelNames: ['stage', 'topic'], registers: [this.registry] });
  readonly recordsOut = new Counter({ name: 'spine_records_out_total', help: 'Records produced (acknowledged)', labelNames: ['stage', 'topic'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'spine_errors_total', help: 'Handler attempts that failed', labelNames: ['stage', 'error'], registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'spine_dead_lettered_total', help: 'Records sent to the dead-letter topic', labelNames: ['stage'], registers: [this.registry] });
  readonly handlerSeconds = new Histogram({
    name: 'spine_handler_duration_seconds',
    help: 'Time from decode to acknowledged outputs, per record',
    labelNames: ['stage'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly lag = new Gauge({ name: 'spine_consumer_lag', help: 'High watermark minus next offset to consume, per partition', labelNames: ['stage', 'topic', 'partition'], registers: [this.registry] });
  readonly inFlight = new Gauge({ name: 'spine_in_flight_records', help: 'Records being handled now', labelNames: ['stage'], registers: [this.registry] });
  readonly rebalancesStarted = new Counter({ name: 'spine_rebalances_started_total', help: 'Rebalances this member learnt of (it then starts no new record until it rejoins)', labelNames: ['stage'], registers: [this.registry] });
  readonly rebalances = new Counter({ name: 'spine_group_joins_total', help: 'Consumer group joins (first join and every rebalance)', labelNames: ['stage'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'spine_process_' });
  }
}
