import { randomUUID } from 'node:crypto';
import { modelControlTopic, payments, topicsUsedBy } from '@spine/platform';
import { provision, resolveTopic } from '@spine/topology';
import type { FraudScore, PaymentTransactionEnriched } from '@spine/schemas';
import { Pipeline } from '../harness/pipeline.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, readRaw } from '../harness/spine-fixture.js';
import { uniquePrefix } from '../harness/ids.js';

/** The second domain, plugged in through the registry: payments posted over HTTP come back as fraud scores. */
describe('payment fraud scoring on the real stack', () => {
  const pipeline = new Pipeline('fraud', {}, ['sink', 'fraud-scoring', 'fraud-features', 'ingestion']);

  beforeAll(async () => {
    await pipeline.start();
  });

  afterAll(async () => {
    await pipeline.stop();
  });

  const base = Date.parse('2026-11-20T10:00:00Z');
  const payment = (cardId: string, i: number, fields: Record<string, unknown>) => ({
    type: 'payment.transaction',
    source: 'gateway',
    eventId: randomUUID(),
    occurredAt: new Date(base + i * 60_000).toISOString(),
    transactionId: `tx-${cardId}-${i}`,
    cardId,
    customerId: `cust-${cardId}`,
    merchantId: 'm-grocer',
    merchantCategory: 'GROCERY',
    amount: '42.10',
    currency: 'EUR',
    country: 'DE',
    channel: 'CARD_PRESENT',
    ...fields,
  });

  it('turns a posted payment into a fraud score on its result topic and through the sink, with velocity features from the stream', async () => {
    const card = `card-${randomUUID().slice(0, 8)}`;
    // A usual week of groceries, then a card-testing burst: small online payments at new merchants, a minute apart.
    const usual = Array.from({ length: 4 }, (_, i) => payment(card, i * 24 * 60, {}));
    const burst = Array.from({ length: 6 }, (_, i) => payment(card, 4 * 24 * 60 + i, { merchantId: `m-digital-${i}`, merchantCategory: 'DIGITAL_GOODS', amount: '1.00', channel: 'ONLINE', country: 'LT' }));
    const accepted = await pipeline.postEvents([...usual, ...burst]);
    expect(new Set(accepted.map((a) => a.topic))).toEqual(new Set([pipeline.fx.topology.topics.paymentTransactions.name]));
    const eventIds = accepted.map((a) => a.eventId);
    expect(await pipeline.waitForResults(eventIds)).toBe(10);

    const enriched = await readRaw(pipeline.fx.kafka, pipeline.fx.topology.topics.enrichedTransactions.name, 10);
    const features = await Promise.all(enriched.map((r) => pipeline.fx.codecs.get(payments.topics.enrichedTransactions).decodeValue<PaymentTransactionEnriched>(r.value)));
    const last = features.find((f) => f.transaction.metadata.eventId === eventIds[9])!.features;
    expect(last.cardTxLast1h).toBe(6);
    expect(last.cardDistinctMerchants24h).toBe(6);
    expect(last.newCountryForCard).toBe(false); // the burst's earlier payments were in LT already
    expect(features.find((f) => f.transaction.metadata.eventId === eventIds[4])!.features.newCountryForCard).toBe(true);

    const scores = await readRaw(pipeline.fx.kafka, pipeline.fx.topology.topics.fraudScores.name, 10);
    const decoded = await Promise.all(scores.map((r) => pipeline.fx.codecs.get(payments.topics.fraudScores).decodeValue<FraudScore>(r.value)));
    const byEvent = new Map(decoded.map((d) => [d.metadata.eventId, d]));
    expect(byEvent.size).toBe(10);
    expect(byEvent.get(eventIds[9]!)!.score).toBeGreaterThan(byEvent.get(eventIds[1]!)!.score);
    expect(byEvent.get(eventIds[9]!)!.decision).not.toBe('APPROVE');

    const response = await fetch(`${pipeline.service('sink').url}/v1/results/${eventIds[9]}`, { headers: { authorization: `Bearer ${pipeline.apiKey}` } });
    expect(response.status).toBe(200);
    const view = (await response.json()) as Record<string, unknown>;
    expect(view).toMatchObject({ eventId: eventIds[9], resultTopic: payments.topics.fraudScores.name, entityKey: card, cardId: card, modelName: 'fraud-lr', amount: '1.00' });
    expect(view.score).toBeCloseTo(byEvent.get(eventIds[9]!)!.score, 12);
  });

  it('refuses a payment that does not match its schema with field-level reasons, publishing nothing', async () => {
    const bad = payment('card-x', 0, { amount: 12.5, currency: 'euro', channel: 'PIGEON' });
    const response = await fetch(`${pipeline.service('ingestion').url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pipeline.apiKey}` },
      body: JSON.stringify(bad),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: Array<{ field: string }> };
    expect(body.issues.map((i) => i.field).sort()).toEqual(['amount', 'channel', 'currency']);
  });
});

describe('a service resolves only the topics its stages use', () => {
  it('starts while every topic its stages do not touch is missing', async () => {
    const prefix = uniquePrefix('only');
    const fx = await provisionedFixture('only-host', 1); // for its admin and registry clients; its own prefix is unused here
    const deployment = { prefix, partitions: 2, replicationFactor: 1 };
    const { fraudScoring } = payments.stages;
    // Its stage's topics, and the model control topic it reads its model routing from (it serves a model).
    expect(topicsUsedBy(fraudScoring)).toContain(modelControlTopic);
    const own = topicsUsedBy(fraudScoring).map((t) => resolveTopic(t, deployment));
    await provision(own, { admin: fx.admin, registry: fx.registry, catalog: fx.catalog });
    const present = (await fx.admin.listTopics()).filter((t) => t.startsWith(prefix));
    expect(present.sort()).toEqual(own.map((t) => t.name).sort()); // support topics, payment input, sink and drift topics: all missing
    const service = new ServiceProcess('fraud-scoring', await freePort(), { SPINE_TOPIC_PREFIX: prefix, SPINE_TOPIC_PARTITIONS: '2' }, 'fraud-scoring-alone');
    try {
      await service.start(); // resolves when /health/ready answers 200
      expect(await service.metric('spine_group_joins_total')).toBeGreaterThanOrEqual(1);
    } finally {
      await service.kill();
      await fx.admin.deleteTopics({ topics: own.map((t) => t.name) }).catch(() => undefined);
      await fx.close();
    }
  });
});
