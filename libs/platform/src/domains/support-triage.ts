import { defineDomain, stage, topic } from '@spine/topology';

const topics = {
  supportMessages: topic({
    name: 'spine.crm.support-message.v1',
    description: 'Customer support messages accepted by ingestion (HTTP or Kafka producers).',
    key: 'common/entity-key',
    value: 'support-message-received',
    retentionDays: 7,
    ingest: { type: 'support.message', key: 'customerId' },
  }),
  enrichedMessages: topic({
    name: 'spine.crm.support-message-enriched.v1',
    description: 'Support messages with the customer features from the online feature store.',
    key: 'common/entity-key',
    value: 'support-message-enriched',
    retentionDays: 7,
  }),
  triageResults: topic({
    name: 'spine.ai.support-triage.v1',
    description: 'AI triage results (sentiment, intent, priority, model name and version) for CRMs and any other consumer.',
    key: 'common/entity-key',
    value: 'support-triage-result',
    retentionDays: 30,
    result: true,
  }),
  triageResultsShadow: topic({
    name: 'spine.ai.support-triage.shadow.v1',
    description: 'Triage results of shadow model versions (same input as the champion, never acted on): for comparing a candidate before it serves.',
    key: 'common/entity-key',
    value: 'support-triage-result',
    retentionDays: 7,
  }),
};

/** Customer-support triage: CRM messages in, sentiment / intent / priority out, so a ticket is routed. */
export const supportTriage = defineDomain({
  name: 'support-triage',
  description: 'Customer-support messages from a CRM, triaged by sentiment, intent and priority.',
  topics,
  stages: {
    enrichment: stage({
      name: 'enrichment',
      description: "Adds the customer's online features (as of the message) from the PostgreSQL feature store.",
      service: 'enrichment',
      inputs: [topics.supportMessages],
      outputs: [topics.enrichedMessages],
      batch: { maxSize: 256, maxWaitMs: 5 }, // one PostgreSQL transaction per batch
    }),
    inference: stage({
      name: 'inference',
      description: 'Triages each enriched message with the model version the model router picks (champion, A/B arm, canary, cascade to a bigger model; shadows to the shadow topic).',
      service: 'inference',
      inputs: [topics.enrichedMessages],
      outputs: [topics.triageResults, topics.triageResultsShadow],
      model: { name: 'support-triage', defaultVersion: '1.1.0', shadow: topics.triageResultsShadow },
    }),
  },
  monitors: [
    { topic: topics.enrichedMessages, fields: ['features.messagesLast24h', 'features.messagesTotal', 'features.avgBodyLength', 'features.lifetimeOrderAmount', 'message.channel'] },
    { topic: topics.triageResults, fields: ['sentiment', 'intent', 'priority', 'intentConfidence'], versionField: 'model.version' },
  ],
  services: [
    { name: 'enrichment', description: 'Support-message feature enrichment', port: 3001, database: 'The feature store lives in PostgreSQL' },
    { name: 'inference', description: 'Support-message triage inference', port: 3002, database: 'The shared inference cache lives in PostgreSQL (model versions registered with a cache TTL)' },
  ],
});
