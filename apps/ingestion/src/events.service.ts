import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { SpineProducer, type Emit } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { SchemaValidationError } from '@spine/serde';
import type { AcceptedEventDto } from './dto/responses.dto.js';
import type { SupportEventDto } from './dto/support-event.dto.js';
import { toSupportMessage } from './to-support-message.js';
import { badRequest } from './validation/issues.js';

/** Turns validated events into SupportMessageReceived records and publishes them, acks=all, before answering. */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);

  constructor(private readonly producer: SpineProducer) {}

  async accept(events: readonly SupportEventDto[], correlationHeader: string | undefined): Promise<AcceptedEventDto[]> {
    const receivedAt = new Date();
    const values = events.map((event) => toSupportMessage(event, { receivedAt, correlationHeader, newEventId: randomUUID }));
    const emits: Emit<SupportMessageReceived>[] = values.map((value) => ({
      topic: 'supportMessages',
      key: value.customerId,
      value,
      headers: { 'x-correlation-id': value.metadata.correlationId },
    }));

    let written: Awaited<ReturnType<SpineProducer['publish']>>;
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

  private toHttpError(error: unknown, values: readonly SupportMessageReceived[]): Error {
    const invalid = schemaValidationError(error);
    if (invalid) {
      return badRequest(invalid.issues, `event does not match schema ${invalid.schemaName}`);
    }
    const eventIds = values.map((v) => v.metadata.eventId);
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(`publishing ${values.length} event(s) failed; none accepted: ${reason}`);
    return new ServiceUnavailableException({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'Service Unavailable',
      message: `Kafka did not acknowledge the event(s), so none was accepted (${reason}); retry later with the same eventIds`,
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
