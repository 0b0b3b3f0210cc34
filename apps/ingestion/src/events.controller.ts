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
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiKeyGuard } from '@spine/runtime';
import { EventBatchDto } from './dto/event-batch.dto.js';
import {
  AcceptedResponseDto,
  BadRequestResponseDto,
  ServiceUnavailableResponseDto,
} from './dto/responses.dto.js';
import { SupportEventDto } from './dto/support-event.dto.js';
import { EventsService } from './events.service.js';
import { IngestBodyPipe } from './ingest-body.pipe.js';
import { headerValue } from './to-support-message.js';

@ApiTags('events')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@ApiExtraModels(SupportEventDto, EventBatchDto)
@UseGuards(ApiKeyGuard)
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Publish support messages',
    description:
      'Validates one event or { events: [...] } (up to 500), publishes them to Kafka and answers 202 only once ' +
      'every record is acknowledged by all in-sync replicas. Needs `Authorization: Bearer <key>` or `x-api-key: <key>`.',
  })
  @ApiBody({
    schema: { oneOf: [{ $ref: getSchemaPath(SupportEventDto) }, { $ref: getSchemaPath(EventBatchDto) }] },
  })
  @ApiHeader({ name: 'x-correlation-id', required: false, description: 'Default correlationId for events that bring none.' })
  @ApiAcceptedResponse({ type: AcceptedResponseDto, description: 'All events durably written.' })
  @ApiBadRequestResponse({ type: BadRequestResponseDto, description: 'Invalid body; issues name each offending field.' })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown API key.' })
  @ApiPayloadTooLargeResponse({ description: 'Body over the limit (SPINE_HTTP_BODY_LIMIT, default 5 MB).' })
  @ApiServiceUnavailableResponse({ type: ServiceUnavailableResponseDto, description: 'Kafka unavailable; nothing accepted.' })
  async publish(
    @Body(IngestBodyPipe) events: SupportEventDto[],
    @Headers('x-correlation-id') correlationHeader: string | undefined,
  ): Promise<AcceptedResponseDto> {
    return { accepted: await this.events.accept(events, headerValue(correlationHeader)) };
  }
}
