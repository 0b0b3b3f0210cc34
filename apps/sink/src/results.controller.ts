import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AiResultStore } from '@spine/ai-result-store';
import { sinkStage } from '@spine/platform';
import { ApiKeyGuard, RequireScopes } from '@spine/runtime';
import { toResultView } from './to-ai-result-row.js';

const RESULT_TOPICS = sinkStage.inputs.map((t) => t.name);

@ApiTags('results')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@UseGuards(ApiKeyGuard)
@RequireScopes('results:read')
@Controller('v1/results')
export class ResultsController {
  constructor(private readonly results: AiResultStore) {}

  @Get(':eventId')
  @ApiOperation({
    summary: 'The AI result of an event, once the pipeline has stored it',
    description:
      "The result's own fields (e.g. sentiment, intent, priority for support triage; score, decision for fraud) plus " +
      'eventId, resultTopic, entityKey, correlationId, modelName, modelVersion, occurredAt, receivedAt, storedAt, traceId and where it was read from.',
  })
  @ApiParam({ name: 'eventId', format: 'uuid', description: 'The eventId ingestion answered with (or the client chose).' })
  @ApiQuery({ name: 'topic', required: false, enum: RESULT_TOPICS, description: 'Which result topic, when an event has results on several (default: the newest).' })
  @ApiOkResponse({ description: 'The stored result.' })
  @ApiBadRequestResponse({ description: 'eventId is not a UUID, or topic is not a result topic.' })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown API key.' })
  @ApiNotFoundResponse({ description: 'Not processed yet (or never ingested); poll again.' })
  async findOne(@Param('eventId', ParseUUIDPipe) eventId: string, @Query('topic') topic?: string): Promise<Record<string, unknown>> {
    if (topic !== undefined && !RESULT_TOPICS.includes(topic)) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `topic must be one of ${RESULT_TOPICS.join(', ')}`, issues: [{ field: 'topic', message: `topic must be one of ${RESULT_TOPICS.join(', ')}` }] });
    }
    const [row] = await this.results.findByEventId(eventId, topic === undefined ? {} : { resultTopic: topic });
    if (!row) throw new NotFoundException({ statusCode: 404, message: `no result for event ${eventId} yet` });
    return toResultView(row);
  }
}
