import { randomUUID } from 'node:crypto';
import { supportTriage } from '@spine/platform';
import type { Emit, InboundMessage } from '@spine/runtime';
import type { CustomerFeatures, SupportMessageReceived } from '@spine/schemas';

/** A support message as ingestion would write it, with fresh ids. */
export function supportMessage(customerId: string, body: string, source = 'test'): SupportMessageReceived {
  return {
    metadata: { eventId: randomUUID(), occurredAt: new Date(), receivedAt: new Date(), source, correlationId: randomUUID() },
    customerId,
    channel: 'CHAT',
    subject: null,
    body,
    orderAmount: null,
  };
}

/** Features of a first contact, for stages under test that enrich without a feature store. */
export const firstContactFeatures: CustomerFeatures = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 1, previousContactAt: null, lifetimeOrderAmount: '0.00' };

/** What a test enrichment handler emits for a message: the message with first-contact features. */
export function enrichedEmit(message: SupportMessageReceived, topic: Emit['topic'] = supportTriage.topics.enrichedMessages): Emit {
  return { topic, key: message.customerId, value: { message, features: firstContactFeatures } } as Emit;
}

export type SupportInbound = InboundMessage<SupportMessageReceived>;
