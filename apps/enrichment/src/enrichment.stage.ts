import { Injectable } from '@nestjs/common';
import { FeatureStore } from '@spine/feature-store';
import { Stage, type Emit, type InboundMessage } from '@spine/runtime';
import type { SupportMessageEnriched, SupportMessageReceived } from '@spine/schemas';
import { toFeatureUpdate } from './to-feature-update.js';

/** Adds the customer's online features (as of this message) to each support message. */
@Injectable()
export class EnrichmentStage {
  constructor(private readonly featureStore: FeatureStore) {}

  @Stage({ name: 'enrichment', input: 'supportMessages', outputs: ['enrichedMessages'], deadLetter: 'enrichmentDeadLetters' })
  async enrich(m: InboundMessage<SupportMessageReceived>): Promise<Emit<SupportMessageEnriched>> {
    // Idempotent per eventId: a redelivery returns the features the first delivery computed.
    const features = await this.featureStore.applyAndRead(toFeatureUpdate(m.value));
    return { topic: 'enrichedMessages', key: m.value.customerId, value: { message: m.value, features } };
  }
}
