import { Inject, Injectable } from '@nestjs/common';
import type { FraudModel } from '@spine/fraud-model';
import { payments } from '@spine/platform';
import { Stage, type InboundMessage } from '@spine/runtime';
import type { PaymentTransactionEnriched } from '@spine/schemas';

export const FRAUD_MODEL = Symbol('FRAUD_MODEL');
const { stages, topics } = payments;

/** Scores each enriched payment: fraud probability, decision by the model's thresholds, strongest reasons. */
@Injectable()
export class FraudScoringStage {
  constructor(@Inject(FRAUD_MODEL) private readonly model: FraudModel) {}

  @Stage(stages.fraudScoring)
  async score(m: InboundMessage<PaymentTransactionEnriched>) {
    const { transaction: tx } = m.value;
    const { score, decision, reasons } = this.model.score(m.value);
    return {
      topic: topics.fraudScores,
      key: tx.cardId,
      value: {
        metadata: tx.metadata,
        transactionId: tx.transactionId,
        cardId: tx.cardId,
        customerId: tx.customerId,
        amount: tx.amount,
        score,
        decision,
        reasons,
        model: { name: this.model.name, version: this.model.version, routing: 'CHAMPION' as const, arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null },
        scoredAt: new Date(),
      },
    };
  }
}
