import { Injectable } from '@nestjs/common';
import { FeatureStore } from '@spine/feature-store';
import { supportTriage } from '@spine/platform';
import { BatchStage, type InboundMessage } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { toFeatureUpdate } from './to-feature-update.js';

const { stages, topics } = supportTriage;

/** Adds the customer's online features (as of each message) to support messages, a batch per transaction. */
@Injectable()
export class EnrichmentStage {
  constructor(private readonly featureStore: FeatureStore) {}

  @BatchStage(stages.enrichment)
  async enrich(messages: readonly InboundMessage<SupportMessageReceived>[]) {
    // Idempotent per eventId: a redelivery returns the features the first delivery computed.
    const features = await this.featureStore.applyAndReadAll(messages.map((m) => toFeatureUpdate(m.value)));
    return messages.map((m, i) => {
      const f = features[i]!;
      return f instanceof Error ? f : { topic: topics.enrichedMessages, key: m.value.customerId, value: { message: m.value, features: f } };
    });
  }
}
