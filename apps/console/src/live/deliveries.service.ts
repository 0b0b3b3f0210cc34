import { webhooksStage } from '@spine/platform';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { databaseSchema, PG_POOL, quoteIdentifier } from '@spine/postgres';
import { migrateWebhooks, Outbox, SecretBox, SubscriptionStore, type DeadLetter } from '@spine/webhooks';
import { scrape, sumOf } from './service-metrics.js';

/** A webhook subscription as the Deliveries view shows it (never its secret). */
export interface DeliveryRow {
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly topics: readonly string[];
  readonly backlog: number;
  readonly dead: number;
  /** Share of attempts that got a 2xx since the webhooks service started; null when it cannot be scraped or made none. */
  readonly successRate: number | null;
  readonly attempts: number | null;
  /** Mean time from queued to delivered (retries included), seconds; null when unknown. */
  readonly meanLatencySeconds: number | null;
}

/** Webhook subscriptions with backlog and dead letters (PostgreSQL) and success rate and latency (the webhooks service's metrics). */
@Injectable()
export class DeliveriesService implements OnModuleInit {
  private readonly schema: string;
  readonly subscriptions: SubscriptionStore;
  readonly outbox: Outbox;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {
    this.schema = quoteIdentifier(databaseSchema(), 'schema');
    this.subscriptions = new SubscriptionStore(pool, this.schema, SecretBox.fromEnv());
    this.outbox = new Outbox(pool, this.schema);
  }

  onModuleInit(): Promise<void> {
    return migrateWebhooks(this.pool, this.schema);
  }

  async list(): Promise<{ subscriptions: DeliveryRow[]; metrics: string | null }> {
    const [subscriptions, backlog, scraped] = await Promise.all([this.subscriptions.list(), this.outbox.backlog(), scrape(webhooksStage.service)]);
    const samples = scraped.ok ? scraped.samples : [];
    const byId = new Map(backlog.map((b) => [b.subscriptionId, b]));
    return {
      metrics: scraped.ok ? null : scraped.error,
      subscriptions: subscriptions.map((s) => {
        const ok = sumOf(samples, 'spine_webhook_deliveries_total', { subscription: s.id, outcome: 'ok' });
        const attempts = sumOf(samples, 'spine_webhook_deliveries_total', { subscription: s.id });
        const count = sumOf(samples, 'spine_webhook_delivery_latency_seconds_count', { subscription: s.id });
        const sum = sumOf(samples, 'spine_webhook_delivery_latency_seconds_sum', { subscription: s.id });
        return {
          id: s.id,
          url: s.url,
          description: s.description ?? null,
          enabled: s.enabled,
          topics: s.topics,
          backlog: byId.get(s.id)?.pending ?? 0,
          dead: byId.get(s.id)?.dead ?? 0,
          successRate: scraped.ok && attempts > 0 ? ok / attempts : null,
          attempts: scraped.ok ? attempts : null,
          meanLatencySeconds: scraped.ok && count > 0 ? sum / count : null,
        };
      }),
    };
  }

  deadLetters(id: string, limit: number): Promise<DeadLetter[]> {
    return this.outbox.deadLetters(id, limit);
  }
}
