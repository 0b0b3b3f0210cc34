import { Injectable } from '@nestjs/common';
import { CardActivityStore } from '@spine/card-activity-store';
import { transactionFeatures } from '@spine/fraud-model';
import { payments } from '@spine/platform';
import { Stage, type InboundMessage } from '@spine/runtime';
import type { PaymentTransactionReceived } from '@spine/schemas';

const { stages, topics } = payments;

/** Adds the card's and customer's velocity and amount features, as of the payment, to each payment. */
@Injectable()
export class FraudFeaturesStage {
  constructor(private readonly activity: CardActivityStore) {}

  @Stage(stages.fraudFeatures)
  async enrich(m: InboundMessage<PaymentTransactionReceived>) {
    const tx = m.value;
    const occurredAt = tx.metadata.occurredAt;
    // Idempotent per eventId: a redelivery records nothing new and reads the same history.
    const history = await this.activity.recordAndRead({ eventId: tx.metadata.eventId, cardId: tx.cardId, customerId: tx.customerId, merchantId: tx.merchantId, country: tx.country, amount: tx.amount, occurredAt });
    const features = transactionFeatures({ amount: tx.amount, merchantId: tx.merchantId, country: tx.country, occurredAt }, history);
    return { topic: topics.enrichedTransactions, key: tx.cardId, value: { transaction: tx, features } };
  }
}
