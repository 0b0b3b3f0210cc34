import { Injectable } from '@nestjs/common';
import { CardActivityStore } from '@spine/card-activity-store';
import { transactionFeatures } from '@spine/fraud-model';
import { payments } from '@spine/platform';
import { BatchStage, type InboundMessage } from '@spine/runtime';
import type { PaymentTransactionReceived } from '@spine/schemas';

const { stages, topics } = payments;

/** Adds the card's and customer's velocity and amount features, as of each payment, a batch per statement. */
@Injectable()
export class FraudFeaturesStage {
  constructor(private readonly activity: CardActivityStore) {}

  @BatchStage(stages.fraudFeatures)
  async enrich(messages: readonly InboundMessage<PaymentTransactionReceived>[]) {
    const payments = messages.map(({ value: tx }) => ({ ...tx, eventId: tx.metadata.eventId, occurredAt: tx.metadata.occurredAt }));
    // Idempotent per eventId: a redelivery records nothing new and reads the same history.
    const histories = await this.activity.recordAndReadAll(payments);
    return payments.map((tx, i) => ({
      topic: topics.enrichedTransactions,
      key: tx.cardId,
      value: { transaction: messages[i]!.value, features: transactionFeatures(tx, histories[i]!) },
    }));
  }
}
