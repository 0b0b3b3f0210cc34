import type { SupportMessageReceived } from '@spine/schemas';
import type { SupportEventDto } from './dto/support-event.dto.js';

/** What an event takes from its request, besides its own body. */
export interface RequestContext {
  /** When Spine received the request; also the default occurredAt. */
  readonly receivedAt: Date;
  /** The request's x-correlation-id header, if any. */
  readonly correlationHeader?: string | undefined;
  /** Makes an eventId for events that bring none. */
  readonly newEventId: () => string;
}

/** Maps a validated event onto the Avro value of spine.crm.SupportMessageReceived. Pure. */
export function toSupportMessage(event: SupportEventDto, context: RequestContext): SupportMessageReceived {
  const eventId = event.eventId ?? context.newEventId();
  return {
    metadata: {
      eventId,
      occurredAt: event.occurredAt != null ? new Date(event.occurredAt) : context.receivedAt,
      receivedAt: context.receivedAt,
      source: event.source,
      correlationId: event.correlationId ?? context.correlationHeader ?? eventId,
    },
    customerId: event.customerId,
    channel: event.channel,
    subject: event.subject ?? null,
    body: event.body,
    orderAmount: event.orderAmount ?? null,
  };
}

/** The first non-blank value of a header, trimmed; undefined otherwise. */
export function headerValue(header: string | readonly string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header) as string | undefined;
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
