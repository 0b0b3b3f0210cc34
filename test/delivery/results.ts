import { randomUUID } from 'node:crypto';
import { payments, supportTriage } from '@spine/platform';
import type { FraudScore, Priority, SupportTriageResult } from '@spine/schemas';
import type { SpineFixture } from '../harness/spine-fixture.js';

/** Result records as the inference stages emit them, produced straight to the result topics. */
export function triageResult(customerId: string, more: { priority?: Priority; n?: number } = {}): SupportTriageResult {
  const now = new Date();
  return {
    metadata: { eventId: randomUUID(), occurredAt: now, receivedAt: now, source: 'delivery-test', correlationId: `corr-${more.n ?? 0}` },
    customerId,
    sentiment: 'NEGATIVE',
    sentimentScore: -0.5,
    intent: 'REFUND',
    intentConfidence: 0.8,
    priority: more.priority ?? 'P2',
    model: { name: 'support-triage', version: '1.1.0', routing: 'CHAMPION' as const, arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null },
    inferredAt: now,
  };
}

export function fraudScore(cardId: string, decision: FraudScore['decision']): FraudScore {
  const now = new Date();
  return {
    metadata: { eventId: randomUUID(), occurredAt: now, receivedAt: now, source: 'delivery-test', correlationId: 'corr-f' },
    transactionId: `tx-${randomUUID().slice(0, 8)}`,
    cardId,
    customerId: `cust-of-${cardId}`,
    amount: '1299.00',
    score: decision === 'DECLINE' ? 0.97 : 0.02,
    decision,
    reasons: ['amount_vs_card_avg'],
    model: { name: 'fraud-lr', version: '1.0.0', routing: 'CHAMPION' as const, arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null },
    scoredAt: now,
  };
}

/** Produces results (acks=all) one key at a time in the given order; returns when each was acknowledged. */
export async function produceTriage(fx: SpineFixture, results: readonly SupportTriageResult[]): Promise<Map<string, number>> {
  const ackedAt = new Map<string, number>();
  await fx.producer.publish(results.map((value) => ({ topic: supportTriage.topics.triageResults, key: value.customerId, value })));
  for (const r of results) ackedAt.set(r.metadata.eventId, Date.now());
  return ackedAt;
}

export async function produceFraud(fx: SpineFixture, results: readonly FraudScore[]): Promise<void> {
  await fx.producer.publish(results.map((value) => ({ topic: payments.topics.fraudScores, key: value.cardId, value })));
}
