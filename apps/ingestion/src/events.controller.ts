import { Body, Controller, Headers, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiKeyGuard } from '@spine/runtime';
import {
  AcceptedResponseDto,
  BadRequestResponseDto,
  ServiceUnavailableResponseDto,
} from './dto/responses.dto.js';
import { EventEnvelopeDto, MAX_EVENTS_PER_REQUEST } from './dto/event-envelope.dto.js';
import { EventsService } from './events.service.js';
import { IngestBodyPipe, type ValidatedEvent } from './ingest-body.pipe.js';
import { EVENT_SCHEMA_REFS } from './openapi.js';
import { headerValue } from './to-event-value.js';

@ApiTags('events')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@ApiExtraModels(EventEnvelopeDto)
@UseGuards(ApiKeyGuard)
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Publish business events',
    description:
      `Validates one event or { events: [...] } (up to ${MAX_EVENTS_PER_REQUEST}), each routed by its \`type\` to the topic the ` +
      "topology names for it and validated against that type's Avro schema; publishes them to Kafka and answers 202 only once " +
      'every record is acknowledged by all in-sync replicas. Needs `Authorization: Bearer <key>` or `x-api-key: <key>`.',
  })
  @ApiBody({
    schema: {
      oneOf: [
        ...EVENT_SCHEMA_REFS,
        { type: 'object', required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST, items: { oneOf: EVENT_SCHEMA_REFS } } } },
      ],
    },
  })
  @ApiHeader({ name: 'x-correlation-id', required: false, description: 'Default correlationId for events that bring none.' })
  @ApiAcceptedResponse({ type: AcceptedResponseDto, description: 'All events durably written.' })
  @ApiBadRequestResponse({ type: BadRequestResponseDto, description: 'Invalid body; issues name each offending field.' })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown API key.' })
  @ApiPayloadTooLargeResponse({ description: 'Body over the limit (SPINE_HTTP_BODY_LIMIT, default 5 MB).' })
  @ApiServiceUnavailableResponse({ type: ServiceUnavailableResponseDto, description: 'Kafka unavailable; nothing accepted.' })
  async publish(
    @Body(IngestBodyPipe) events: ValidatedEvent[],
    @Headers('x-correlation-id') correlationHeader: string | undefined,
  ): Promise<AcceptedResponseDto> {
    return { accepted: await this.events.accept(events, headerValue(correlationHeader)) };
  }
}
