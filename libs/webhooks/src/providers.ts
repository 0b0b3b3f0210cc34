import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { PG_POOL, databaseSchema, declarePersonalData, quoteIdentifier } from '@spine/postgres';
import { SpineContext } from '@spine/runtime';
import type pg from 'pg';
import { webhooksConfigFromEnv, type WebhooksConfig } from './config.js';
import { Dispatcher } from './dispatcher.js';
import { HttpSender } from './http-sender.js';
import { WebhookMetrics } from './metrics.js';
import { migrateWebhooks } from './migrate.js';
import { Outbox } from './outbox.js';
import { SecretBox } from './secret-box.js';
import { SubscriptionStore } from './subscription-store.js';
import { TargetUrlPolicy } from './url-policy.js';
import { WebhooksStage } from './webhooks.stage.js';

export const WEBHOOKS_CONFIG = Symbol('WEBHOOKS_CONFIG');
/** The quoted schema, once the webhook tables are migrated. */
const WEBHOOKS_SCHEMA = Symbol('WEBHOOKS_SCHEMA');

/** Deliveries carry results, which name customers: declared so a customer erasure finds them too. */
export const WEBHOOK_PERSONAL_DATA = {
  store: 'webhooks:deliveries',
  description: 'Webhook deliveries (pending, dead-lettered, or delivered within retention): the result sent and its entity key.',
  tables: [{ table: 'webhook_deliveries', match: [{ column: 'entity_key' }, { jsonColumn: 'result', field: 'customerId' }] }],
} as const;

/** Starts the dispatcher once the app is up; stops it (in-flight attempts finish) before the pool closes. */
@Injectable()
export class DispatcherLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly context: SpineContext,
    private readonly secrets: SecretBox,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.secrets.encrypts) this.context.log('warn', 'SPINE_WEBHOOKS_SECRET_KEY is not set: signing secrets are stored unencrypted in PostgreSQL');
    this.dispatcher.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.dispatcher.stop();
  }
}

/** Everything the webhooks service runs, for its app module (next to PostgresModule and SpineRuntimeModule). */
export const webhooksProviders: Provider[] = [
  { provide: WEBHOOKS_CONFIG, useFactory: () => webhooksConfigFromEnv() },
  { provide: SecretBox, useFactory: () => SecretBox.fromEnv() },
  { provide: TargetUrlPolicy, inject: [WEBHOOKS_CONFIG], useFactory: (config: WebhooksConfig) => new TargetUrlPolicy(config.allowPrivate) },
  {
    provide: WEBHOOKS_SCHEMA,
    inject: [PG_POOL],
    useFactory: async (pool: pg.Pool) => {
      const schema = databaseSchema();
      await migrateWebhooks(pool, quoteIdentifier(schema, 'schema'));
      await declarePersonalData(pool, schema, WEBHOOK_PERSONAL_DATA);
      return quoteIdentifier(schema, 'schema');
    },
  },
  { provide: SubscriptionStore, inject: [PG_POOL, WEBHOOKS_SCHEMA, SecretBox], useFactory: (pool: pg.Pool, schema: string, secrets: SecretBox) => new SubscriptionStore(pool, schema, secrets) },
  { provide: Outbox, inject: [PG_POOL, WEBHOOKS_SCHEMA], useFactory: (pool: pg.Pool, schema: string) => new Outbox(pool, schema) },
  { provide: WebhookMetrics, inject: [SpineContext, Outbox], useFactory: (context: SpineContext, outbox: Outbox) => new WebhookMetrics(context.metrics.registry, outbox) },
  {
    provide: Dispatcher,
    inject: [Outbox, TargetUrlPolicy, SecretBox, WebhookMetrics, WEBHOOKS_CONFIG, SpineContext],
    useFactory: (outbox: Outbox, policy: TargetUrlPolicy, secrets: SecretBox, metrics: WebhookMetrics, config: WebhooksConfig, context: SpineContext) =>
      new Dispatcher(outbox, new HttpSender(policy, config.requestTimeoutMs), secrets, metrics, config, context.log),
  },
  DispatcherLifecycle,
  WebhooksStage,
];

