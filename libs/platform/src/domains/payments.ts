import { defineDomain, stage, topic } from '@spine/topology';

const topics = {
  paymentTransactions: topic({
    name: 'spine.payments.transaction.v1',
    description: 'Card payment authorisations from the payment gateway (HTTP or Kafka producers), keyed by card id.',
    key: 'common/entity-key',
    value: 'payment-transaction-received',
    retentionDays: 7,
    ingest: { type: 'payment.transaction', key: 'cardId' },
  }),
  enrichedTransactions: topic({
    name: 'spine.payments.transaction-enriched.v1',
    description: "Payments with their card's and customer's velocity and amount features.",
    key: 'common/entity-key',
    value: 'payment-transaction-enriched',
    retentionDays: 7,
  }),
  fraudScores: topic({
    name: 'spine.ai.fraud-score.v1',
    description: 'AI fraud scores (probability, decision, reasons, model name and version) for the gateway or a review queue.',
    key: 'common/entity-key',
    value: 'fraud-score',
    retentionDays: 30,
    result: true,
  }),
  fraudScoresShadow: topic({
    name: 'spine.ai.fraud-score.shadow.v1',
    description: "Fraud scores of shadow model versions (same input as the champion, never acted on): for comparing a candidate before it serves.",
    key: 'common/entity-key',
    value: 'fraud-score',
    retentionDays: 7,
  }),
};

/** Payment fraud scoring: card payments in, a fraud probability and an approve / review / decline decision out. */
export const payments = defineDomain({
  name: 'payments',
  description: 'Card payments scored for fraud from per-card and per-customer velocity features.',
  topics,
  stages: {
    fraudFeatures: stage({
      name: 'fraud-features',
      description: "Adds the card's and customer's velocity and amount features from PostgreSQL card activity.",
      service: 'fraud-features',
      inputs: [topics.paymentTransactions],
      outputs: [topics.enrichedTransactions],
      batch: { maxSize: 256, maxWaitMs: 5 }, // one PostgreSQL statement per batch
    }),
    fraudScoring: stage({
      name: 'fraud-scoring',
      description: 'Scores each enriched payment with the fraud model version the model router picks (champion, A/B arm, canary; shadows to the shadow topic).',
      service: 'fraud-scoring',
      inputs: [topics.enrichedTransactions],
      outputs: [topics.fraudScores, topics.fraudScoresShadow],
      model: { name: 'fraud-lr', defaultVersion: '1.0.0', shadow: topics.fraudScoresShadow },
    }),
  },
  monitors: [
    {
      topic: topics.enrichedTransactions,
      fields: ['features.amountToCardAvg', 'features.cardTxLast1h', 'features.cardTxLast24h', 'features.cardAmountLast24h', 'features.cardDistinctCountries24h', 'features.newMerchantForCard', 'features.customerTxLast24h', 'transaction.channel', 'transaction.merchantCategory'],
    },
    { topic: topics.fraudScores, fields: ['score', 'decision'], versionField: 'model.version' },
  ],
  services: [
    { name: 'fraud-features', description: 'Payment velocity features', port: 3004, database: 'Card activity (velocity features) lives in PostgreSQL' },
    { name: 'fraud-scoring', description: 'Payment fraud scoring', port: 3005, database: 'The shared inference cache lives in PostgreSQL (model versions registered with a cache TTL)' },
  ],
});
