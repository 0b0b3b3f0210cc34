import type { FeatureUpdate } from '@spine/feature-store';
import type { SupportMessageReceived } from '@spine/schemas';

/** What the feature store needs from a support message. Pure. */
export function toFeatureUpdate(message: SupportMessageReceived): FeatureUpdate {
  return {
    eventId: message.metadata.eventId,
    customerId: message.customerId,
    occurredAt: message.metadata.occurredAt,
    bodyLength: message.body.length,
    orderAmount: message.orderAmount,
  };
}
