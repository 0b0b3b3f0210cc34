import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ApiKeyGuard, principalOf, RequireScopes } from '@spine/runtime';
import {
  AcceptedResponseDto,
  BadRequestResponseDto,
  ServiceUnavailableResponseDto,
} from './dto/responses.dto.js';
import { EventEnvelopeDto, MAX_EVENTS_PER_REQUEST } from './dto/event-envelope.dto.js';
import { EventsService } from './events.service.js';
import { IdempotentIngest } from './idempotent-ingest.js';
import { IngestBodyPipe, type ValidatedEvent } from './ingest-body.pipe.js';
import { EVENT_SCHEMA_REFS } from './openapi.js';
import { headerValue } from './to-event-value.js';

@ApiTags('events')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@ApiExtraModels(EventEnvelopeDto)
@UseGuards(ApiKeyGuard)
@RequireScopes('events:write')
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly idempotent: IdempotentIngest,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Publish business events',
    description:
      `Validates one event or { events: [...] } (up to ${MAX_EVENTS_PER_REQUEST}), each routed by its \`type\` to the topic the ` +
      "topology names for it and validated against that type's Avro schema; publishes them to Kafka and answers 202 only once " +
      'every record is acknowledged by all in-sync replicas. Needs `Authorization: Bearer <key or JWT>` or `x-api-key: <key>` with the ' +
      'scope `events:write`. With an `Idempotency-Key`, a retry of the same request gets the first answer again and publishes nothing.',
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
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Per credential, kept 24 h: a retry with the same key and body gets the original answer and publishes nothing; another body → 422; while the first runs → it waits, else 409.',
  })
  @ApiAcceptedResponse({ type: AcceptedResponseDto, description: 'All events durably written.' })
  @ApiBadRequestResponse({ type: BadRequestResponseDto, description: 'Invalid body; issues name each offending field.' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid credentials (checked before the body is read).' })
  @ApiForbiddenResponse({ description: 'The credential lacks the scope events:write.' })
  @ApiTooManyRequestsResponse({ description: "Over the credential's rate limit; Retry-After says when to retry." })
  @ApiUnsupportedMediaTypeResponse({ description: 'The body is not application/json (UTF-8, uncompressed).' })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used with a different body.' })
  @ApiConflictResponse({ description: 'A request with this Idempotency-Key is still running; retry shortly.' })
  @ApiPayloadTooLargeResponse({ description: 'Body over the limit (SPINE_HTTP_BODY_LIMIT, default 5 MB).' })
  @ApiServiceUnavailableResponse({
    type: ServiceUnavailableResponseDto,
    description: 'Kafka unreachable or not acknowledging within SPINE_PUBLISH_TIMEOUT_MS (1 s); Retry-After set; the body lists the eventIds to retry with.',
  })
  async publish(
    @Body(IngestBodyPipe) events: ValidatedEvent[],
    @Headers('x-correlation-id') correlationHeader: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: { body?: unknown },
    @Res({ passthrough: true }) response: { status(code: number): unknown; setHeader(name: string, value: string): unknown },
  ): Promise<AcceptedResponseDto | Record<string, unknown>> {
    const correlation = headerValue(correlationHeader);
    const answer =
      idempotencyKey === undefined
        ? await this.events.accept(events, correlation)
        : await this.idempotent.accept({ key: idempotencyKey, principal: principalOf(request), body: request.body, events, correlationHeader: correlation });
    response.status(answer.status);
    if (answer.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(answer.retryAfterSeconds));
    if ('replayed' in answer && answer.replayed) response.setHeader('Idempotent-Replayed', 'true');
    return answer.body;
  }
}
