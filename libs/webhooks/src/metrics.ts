import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Outbox } from './outbox.js';

/** Per-subscription delivery metrics, on the service's registry (label `subscription` = subscription id). */
export class WebhookMetrics {
  readonly deliveries: Counter<'subscription' | 'outcome'>;
  readonly requestSeconds: Histogram<'subscription'>;
  readonly deliveryLagSeconds: Histogram<'subscription'>;

  constructor(registry: Registry, outbox: Outbox) {
    this.deliveries = new Counter({
      name: 'spine_webhook_deliveries_total',
      help: 'Webhook attempts by outcome: ok (2xx), failed (will be retried), dead (dead-lettered after the last retry)',
      labelNames: ['subscription', 'outcome'],
      registers: [registry],
    });
    this.requestSeconds = new Histogram({
      name: 'spine_webhook_request_duration_seconds',
      help: 'Time of one webhook HTTP attempt, request to response',
      labelNames: ['subscription'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.deliveryLagSeconds = new Histogram({
      name: 'spine_webhook_delivery_latency_seconds',
      help: 'Time from a result queued for a subscription to its 2xx, retries included',
      labelNames: ['subscription'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 14400, 86400],
      registers: [registry],
    });
    // Read from the outbox at scrape time, so every instance reports the same, current numbers.
    const counts = () => outbox.backlog();
    new Gauge({
      name: 'spine_webhook_backlog',
      help: 'Deliveries waiting (due, retrying or held behind an earlier one of their entity), per subscription',
      labelNames: ['subscription'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await counts()) this.set({ subscription: row.subscriptionId }, row.pending);
      },
    });
    new Gauge({
      name: 'spine_webhook_dead_letters',
      help: 'Dead-lettered deliveries waiting for a redrive, per subscription',
      labelNames: ['subscription'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await counts()) this.set({ subscription: row.subscriptionId }, row.dead);
      },
    });
  }
}
