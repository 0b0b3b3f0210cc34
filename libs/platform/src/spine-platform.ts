import { Platform, stage, topic, type StageSpec, type TopicSpec } from '@spine/topology';
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

/**
 * The model registry and every stage's model routing (champion, A/B splits, canary, shadows, cascade, guard), one
 * record per key: `version:<model>:<version>` and `routing:<stage>`. Compacted, so the newest record per key is the
 * state; compaction waits a week, so the log holds the history (promotions, ramps, automatic rollbacks and reasons).
 */
export const modelControlTopic = topic({
  name: 'spine.models.control.v1',
  description: 'Model versions and per-stage model routing (champion, A/B, canary, shadow, cascade); every change with its reason. Compacted per key.',
  key: 'common/entity-key',
  value: 'model-control-event',
  partitions: 1,
  retentionDays: 3650,
  config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(7 * 24 * 3600 * 1000) },
});

/**
 * Dead letters re-driven on their own (one record or a selection, from the console) ahead of their stage's re-drive
 * group: a later re-drive of everything skips them instead of sending them twice, and clears their marks as it passes.
 */
export const redriveMarksTopic = topic({
  name: 'spine.dlq.redriven.v1',
  description: 'Dead letters re-driven one by one, ahead of the re-drive group; a re-drive of everything skips them. Keyed <dead-letter topic>/<partition>/<offset>, compacted.',
  key: 'common/entity-key',
  value: 'dead-letter-redrive-mark',
  partitions: 1,
  retentionDays: 3650,
  config: { 'cleanup.policy': 'compact' },
});

/** Drift events: a watched feature or model output moved away from its reference distribution. */
export const modelDriftTopic = topic({
  name: 'spine.models.drift.v1',
  description: 'Drift events: a watched feature or model output whose population stability index over a sliding window crossed its bound. Keyed by topic/field.',
  key: 'common/entity-key',
  value: 'model-drift-event',
  retentionDays: 30,
});

/** The platform's drift detector: plugs in by subscribing to every domain's monitored topics. */
export const modelDriftStage = stage({
  name: 'model-drift',
  description: 'Keeps a reference window per watched field (and model version), computes PSI over sliding windows, exposes gauges and emits drift events.',
  service: 'model-drift',
  inputs: [...new Set(domains.flatMap((d) => (d.monitors ?? []).map((m) => m.topic)))],
  outputs: [modelDriftTopic],
  batch: { maxSize: 500, maxWaitMs: 20 },
  scaling: { maxReplicas: 1 }, // one view of the distributions
});

/** Every topic a stage's process touches: its inputs, outputs and dead letters, and for a model-serving stage the model control topic. */
export function topicsUsedBy(stage: StageSpec): TopicSpec[] {
  return [...new Set([...stage.inputs, ...stage.outputs, stage.deadLetter, ...(stage.model ? [stage.model.shadow, modelControlTopic] : [])])];
}

/** The stage registry: read by the runtime, the CLI, ./spine up, the tests and the deployment manifests. */
export const spinePlatform = new Platform(domains, {
  stages: [sinkStage, webhooksStage, modelDriftStage],
  topics: [modelControlTopic, redriveMarksTopic],
  services: [
    { name: 'ingestion', description: 'HTTP ingestion of business events', port: 3000, database: 'API keys and idempotency keys are kept in PostgreSQL', api: 'POST /v1/events' },
    { name: 'sink', description: 'AI result store and query API', port: 3003, database: 'AI results are stored in PostgreSQL', api: 'GET /v1/results/:eventId' },
    { name: 'webhooks', description: 'Signed webhook delivery of AI results', port: 3006, database: 'Webhook subscriptions and the delivery outbox live in PostgreSQL', api: 'POST/GET/DELETE /v1/webhooks/subscriptions' },
    { name: 'console', description: "Operator console and admin API (topology, lag, dead letters, models, deliveries)", port: 3007, database: 'Operator keys and the audit log are read from PostgreSQL', api: 'GET /console, /v1/admin/*' },
    { name: 'model-drift', description: 'Drift detection on features and model outputs', port: 3008, database: 'Drift reference windows are kept in PostgreSQL' },
  ],
});
