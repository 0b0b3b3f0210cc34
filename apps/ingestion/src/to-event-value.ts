import type { EventMetadata } from '@spine/schemas';
import type { ValidatedEvent } from './ingest-body.pipe.js';

/** What an event takes from its request, besides its own body. */
export interface RequestContext {
  /** When Spine received the request; also the default occurredAt. */
  readonly receivedAt: Date;
  /** The request's x-correlation-id header, if any. */
  readonly correlationHeader?: string | undefined;
  /** Makes an eventId for events that bring none. */
  readonly newEventId: () => string;
}

/** The record an event becomes: its payload plus the metadata ingestion fills in, and its Kafka key. Pure. */
export function toEventRecord(event: ValidatedEvent, context: RequestContext): { key: string; value: Record<string, unknown> & { metadata: EventMetadata } } {
  const { envelope, payload, route } = event;
  const eventId = envelope.eventId ?? context.newEventId();
  const metadata: EventMetadata = {
    eventId,
    occurredAt: envelope.occurredAt != null ? new Date(envelope.occurredAt) : context.receivedAt,
    receivedAt: context.receivedAt,
    source: envelope.source,
    correlationId: envelope.correlationId ?? context.correlationHeader ?? eventId,
  };
  return { key: String(payload[route.keyField]), value: { metadata, ...payload } };
}

/** The first non-blank value of a header, trimmed; undefined otherwise. */
export function headerValue(header: string | readonly string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header) as string | undefined;
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
