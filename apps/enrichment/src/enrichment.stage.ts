import { Injectable } from '@nestjs/common';
import { FeatureStore } from '@spine/feature-store';
import { supportTriage } from '@spine/platform';
import { Stage, type InboundMessage } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { toFeatureUpdate } from './to-feature-update.js';

const { stages, topics } = supportTriage;

/** Adds the customer's online features (as of this message) to each support message. */
@Injectable()
export class EnrichmentStage {
  constructor(private readonly featureStore: FeatureStore) {}

  @Stage(stages.enrichment)
  async enrich(m: InboundMessage<SupportMessageReceived>) {
    // Idempotent per eventId: a redelivery returns the features the first delivery computed.
    const features = await this.featureStore.applyAndRead(toFeatureUpdate(m.value));
    return { topic: topics.enrichedMessages, key: m.value.customerId, value: { message: m.value, features } };
  }
}
