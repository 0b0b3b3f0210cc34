import { Platform, stage } from '@spine/topology';
import { payments } from './domains/payments.js';
import { supportTriage } from './domains/support-triage.js';

/** Every business domain Spine runs. A new domain is one file under domains/ and one entry here. */
export const domains = [supportTriage, payments] as const;

/** The platform's own stage: stores every domain's AI results (topics marked `result`) and serves them. */
export const sinkStage = stage({
  name: 'sink',
  description: "Stores each AI result once per event and result topic, for GET /v1/results/:eventId.",
  service: 'sink',
  inputs: domains.flatMap((d) => Object.values(d.topics).filter((t) => t.result)),
  batch: { maxSize: 500, maxWaitMs: 5 }, // one INSERT per batch
});

/** The platform's delivery stage: writes each AI result, per matching webhook subscription, to a PostgreSQL outbox that a dispatcher delivers from. */
export const webhooksStage = stage({
  name: 'webhooks',
  description: 'Queues each AI result for every webhook subscription it matches (outbox in PostgreSQL); the service delivers them signed, with retries.',
  service: 'webhooks',
  inputs: domains.flatMap((d) => Object.values(d.topics).filter((t) => t.result)),
});

/** The stage registry: read by the runtime, the CLI, ./spine up, the tests and the deployment manifests. */
export const spinePlatform = new Platform(domains, {
  stages: [sinkStage, webhooksStage],
  services: [
    { name: 'ingestion', description: 'HTTP ingestion of business events', port: 3000, database: 'API keys and idempotency keys are kept in PostgreSQL', api: 'POST /v1/events' },
    { name: 'sink', description: 'AI result store and query API', port: 3003, database: 'AI results are stored in PostgreSQL', api: 'GET /v1/results/:eventId' },
    { name: 'webhooks', description: 'Signed webhook delivery of AI results', port: 3006, database: 'Webhook subscriptions and the delivery outbox live in PostgreSQL', api: 'POST/GET/DELETE /v1/webhooks/subscriptions' },
  ],
});
