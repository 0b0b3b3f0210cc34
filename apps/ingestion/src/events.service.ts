import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { jsonLog, SpineProducer, type Emit, type Published } from '@spine/runtime';
import { SchemaValidationError } from '@spine/serde';
import type { AcceptedEventDto } from './dto/responses.dto.js';
import type { ValidatedEvent } from './ingest-body.pipe.js';
import { toEventRecord } from './to-event-value.js';
import { SERVICE_NAME } from './config.js';
import { badRequest } from './validation/issues.js';

const log = jsonLog(SERVICE_NAME);

/** Turns validated events into records of their types' topics and publishes them, acks=all, before answering. */
@Injectable()
export class EventsService {
  constructor(private readonly producer: SpineProducer) {}

  async accept(events: readonly ValidatedEvent[], correlationHeader: string | undefined): Promise<AcceptedEventDto[]> {
    const receivedAt = new Date();
    const records = events.map((event) => toEventRecord(event, { receivedAt, correlationHeader, newEventId: randomUUID }));
    const values = records.map((r) => r.value);
    const emits = records.map(
      ({ key, value }, i): Emit => ({ topic: events[i]!.route.topic, key, value: value as unknown as Emit['value'], headers: { 'x-correlation-id': value.metadata.correlationId } }),
    );

    let written: Published[];
    try {
      written = await this.producer.publish(emits);
    } catch (error) {
      throw this.toHttpError(error, values);
    }

    return values.map(({ metadata: { eventId, correlationId } }, i) => {
      const record = written[i];
      if (!record) throw new Error(`publish acknowledged ${written.length} of ${values.length} records; this is a bug`);
      return { eventId, correlationId, topic: record.topic, partition: record.partition, offset: record.offset };
    });
  }

  private toHttpError(error: unknown, values: ReadonlyArray<{ metadata: { eventId: string } }>): Error {
    const invalid = schemaValidationError(error);
    if (invalid) {
      return badRequest(invalid.issues, `event does not match schema ${invalid.schemaName}`);
    }
    const eventIds = values.map((v) => v.metadata.eventId);
    const reason = error instanceof Error ? error.message : String(error);
    log('error', 'publish failed; events not accepted', { events: values.length, error: reason });
    return new ServiceUnavailableException({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'Service Unavailable',
      message:
        `could not publish to Kafka (${reason}): the request is not accepted; retry later with the same eventIds ` +
        '(events that did get through are deduplicated downstream by eventId)',
      eventIds,
    });
  }
}

function schemaValidationError(error: unknown): SchemaValidationError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof SchemaValidationError) return e;
  }
  return undefined;
}
