import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { BrokerUnavailableError, jsonLog, publishWithin, SpineContext, SpineProducer, type Emit, type Published } from '@spine/runtime';
import { SchemaValidationError } from '@spine/serde';
import type { ValidatedEvent } from './ingest-body.pipe.js';
import { toEventRecord } from './to-event-value.js';
import { publishTimeoutMs, SERVICE_NAME, UNAVAILABLE_RETRY_AFTER_S } from './config.js';
import { badRequestBody } from './validation/issues.js';

const log = jsonLog(SERVICE_NAME);

/** What POST /v1/events answers: status, JSON body, and Retry-After for a 503. Stored as is for Idempotency-Key replays. */
export interface IngestAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly retryAfterSeconds?: number;
}

/**
 * Turns validated events into records of their types' topics and publishes them, acks=all, before answering:
 * 202 once every record is acknowledged, 503 (with Retry-After and the eventIds) when Kafka is down or does
 * not acknowledge within SPINE_PUBLISH_TIMEOUT_MS.
 */
@Injectable()
export class EventsService {
  private readonly deadlineMs = publishTimeoutMs();
  private readonly refusedWhileDown = new ThrottledLog(5_000, (count, reason) => log('warn', 'requests refused at once while Kafka is unreachable', { requests: count, error: reason }));

  constructor(
    private readonly producer: SpineProducer,
    private readonly context: SpineContext,
  ) {}

  /** `eventIds`: the ids to give events that bring none (an idempotent retry reuses its first attempt's). */
  async accept(events: readonly ValidatedEvent[], correlationHeader: string | undefined, eventIds?: readonly string[]): Promise<IngestAnswer> {
    const receivedAt = new Date();
    const records = events.map((event, i) => toEventRecord(event, { receivedAt, correlationHeader, newEventId: () => eventIds?.[i] ?? randomUUID() }));
    const values = records.map((r) => r.value);
    const emits = records.map(
      ({ key, value }, i): Emit => ({ topic: events[i]!.route.topic, key, value: value as unknown as Emit['value'], headers: { 'x-correlation-id': value.metadata.correlationId } }),
    );

    let written: Published[];
    try {
      written = await publishWithin(this.producer, emits, this.deadlineMs, this.context.broker);
    } catch (error) {
      return this.failure(error, values);
    }

    const accepted = values.map(({ metadata: { eventId, correlationId } }, i) => {
      const record = written[i];
      if (!record) throw new Error(`publish acknowledged ${written.length} of ${values.length} records; this is a bug`);
      return { eventId, correlationId, topic: record.topic, partition: record.partition, offset: record.offset };
    });
    return { status: HttpStatus.ACCEPTED, body: { accepted } };
  }

  /** The event ids a request will publish under, before it runs (for the idempotency record). */
  static eventIdsOf(events: readonly ValidatedEvent[]): string[] {
    return events.map((event) => event.envelope.eventId ?? randomUUID());
  }

  private failure(error: unknown, values: ReadonlyArray<{ metadata: { eventId: string } }>): IngestAnswer {
    const invalid = schemaValidationError(error);
    if (invalid) return { status: HttpStatus.BAD_REQUEST, body: { ...badRequestBody(invalid.issues, `event does not match schema ${invalid.schemaName}`) } };
    const eventIds = values.map((v) => v.metadata.eventId);
    const reason = error instanceof Error ? error.message : String(error);
    const maybePublished = !(error instanceof BrokerUnavailableError) || error.maybePublished;
    if (maybePublished) log('warn', 'publish failed; events not accepted', { events: values.length, error: reason, maybePublished });
    else this.refusedWhileDown.note(reason); // one line per few seconds, not one per request, during an outage
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_S,
      body: {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message:
          `could not publish to Kafka (${reason}): the request is not accepted; retry after ${UNAVAILABLE_RETRY_AFTER_S} s with the same eventIds ` +
          (maybePublished ? '(these events may still reach Kafka; a retry under the same eventIds is deduplicated downstream)' : '(nothing was published)'),
        eventIds,
      },
    };
  }
}

/** Counts occurrences and logs at most once per interval (the first at once), with the count since the last line. */
class ThrottledLog {
  private count = 0;
  private last = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly write: (count: number, reason: string) => void,
  ) {}

  note(reason: string): void {
    this.count++;
    if (Date.now() - this.last < this.intervalMs) return;
    this.write(this.count, reason);
    this.count = 0;
    this.last = Date.now();
  }
}

function schemaValidationError(error: unknown): SchemaValidationError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof SchemaValidationError) return e;
  }
  return undefined;
}
