import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ResultsStore, type TriageResultRow } from '@spine/results-store';
import { ApiKeyGuard } from '@spine/runtime';
import { NotFoundResponseDto, TriageResultDto } from './result.dto.js';

@ApiTags('results')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/results')
export class ResultsController {
  constructor(private readonly results: ResultsStore) {}

  @Get(':eventId')
  @ApiOperation({ summary: 'The AI triage result of an event, once the pipeline has stored it' })
  @ApiParam({ name: 'eventId', format: 'uuid', description: 'The eventId ingestion answered with (or the client chose).' })
  @ApiOkResponse({ type: TriageResultDto })
  @ApiBadRequestResponse({ description: 'eventId is not a UUID.' })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown API key.' })
  @ApiNotFoundResponse({ type: NotFoundResponseDto, description: 'Not processed yet (or never ingested); poll again.' })
  async findOne(@Param('eventId', ParseUUIDPipe) eventId: string): Promise<TriageResultRow> {
    const row = await this.results.findByEventId(eventId);
    if (!row) throw new NotFoundException({ statusCode: 404, message: `no result for event ${eventId} yet` });
    return row;
  }
}
