import { Injectable } from '@nestjs/common';
import { listFraudModelVersions, loadFraudModel } from '@spine/fraud-model';
import { ModelServingFactory, type Answer, type ModelServing } from '@spine/model-lifecycle';
import { payments } from '@spine/platform';
import { Stage, type InboundMessage } from '@spine/runtime';
import type { PaymentTransactionEnriched } from '@spine/schemas';
import { fraudModelBinding, type FraudAnswer } from './fraud-model-binding.js';

const { stages, topics } = payments;

/**
 * Scores each enriched payment with the fraud model version the model router picks for the card (champion, A/B arm,
 * canary; from the model control topic, switched at runtime); shadow versions' scores go to the shadow topic.
 */
@Injectable()
export class FraudScoringStage {
  private readonly models: ModelServing<PaymentTransactionEnriched, FraudAnswer>;

  constructor(factory: ModelServingFactory) {
    // Every shipped version in process; remote and ONNX versions decide with the registry default's thresholds.
    const shipped = listFraudModelVersions().map((v) => loadFraudModel(v));
    const byDefault = shipped.find((m) => m.version === stages.fraudScoring.model!.defaultVersion) ?? loadFraudModel(stages.fraudScoring.model!.defaultVersion);
    this.models = factory.create(stages.fraudScoring, fraudModelBinding(shipped, byDefault));
  }

  @Stage(stages.fraudScoring)
  async score(m: InboundMessage<PaymentTransactionEnriched>) {
    const { transaction: tx } = m.value;
    const served = await this.models.serve(tx.cardId, m.value, m.signal);
    const result = (answer: Answer<FraudAnswer>) => ({
      metadata: tx.metadata,
      transactionId: tx.transactionId,
      cardId: tx.cardId,
      customerId: tx.customerId,
      amount: tx.amount,
      score: answer.output.score,
      decision: answer.output.decision,
      reasons: [...answer.output.reasons],
      model: answer.model,
      scoredAt: new Date(),
    });
    return [
      { topic: topics.fraudScores, key: tx.cardId, value: result(served) },
      ...served.shadows.map((shadow) => ({ topic: topics.fraudScoresShadow, key: tx.cardId, value: result(shadow) })),
    ];
  }
}
