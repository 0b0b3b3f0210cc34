import { Injectable, ValidationPipe, type PipeTransform, type ValidationPipeOptions } from '@nestjs/common';
import { EventBatchDto } from './dto/event-batch.dto.js';
import { SupportEventDto } from './dto/support-event.dto.js';
import { badRequest, ROOT_FIELD, validationExceptionFactory } from './validation/issues.js';

const options: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  // One reason per field (its type first: decorators nearest the property run first), not a cascade.
  stopAtFirstError: true,
  // Values are not echoed back in errors (bodies can be large and personal).
  validationError: { target: false, value: false },
  exceptionFactory: validationExceptionFactory,
};

/**
 * The body of POST /v1/events is either one event or `{ "events": [...] }`. An object with an `events` property
 * is validated as a batch, anything else as one event; either way the result is a list of validated events.
 */
@Injectable()
export class IngestBodyPipe implements PipeTransform<unknown, Promise<SupportEventDto[]>> {
  private readonly single = new ValidationPipe({ ...options, expectedType: SupportEventDto });
  private readonly batch = new ValidationPipe({ ...options, expectedType: EventBatchDto });

  async transform(body: unknown): Promise<SupportEventDto[]> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest([
        { field: ROOT_FIELD, message: 'the body must be a JSON object: one event, or { "events": [ ... ] }' },
      ]);
    }
    const metadata = { type: 'body' as const };
    if (Object.hasOwn(body, 'events')) {
      const validated = (await this.batch.transform(body, metadata)) as EventBatchDto;
      return validated.events;
    }
    return [(await this.single.transform(body, metadata)) as SupportEventDto];
  }
}
