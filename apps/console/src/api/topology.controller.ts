import { Controller, Get, Param, NotFoundException, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PipelineSnapshot, StagePoint } from '@spine/operations';
import { ConsoleAuthGuard } from '../auth/console-auth.guard.js';
import { ConsoleOperations } from '../operations.service.js';

/** The pipeline as a graph: stages and topics from the registry, with lag, members and rates from the broker. */
@ApiTags('console')
@UseGuards(ConsoleAuthGuard)
@Controller('v1/admin/topology')
export class TopologyController {
  constructor(private readonly operations: ConsoleOperations) {}

  @Get()
  @ApiOperation({ summary: 'Stages and topics with per-stage lag (total and per partition), instances, rates in/out and dead-letter rates' })
  async topology(): Promise<PipelineSnapshot> {
    return this.operations.monitor.snapshot();
  }

  @Get(':stage/history')
  @ApiOperation({ summary: "A stage's recent lag and rates (one point per sample)" })
  history(@Param('stage') stage: string): { stage: string; points: readonly StagePoint[] } {
    if (!this.operations.stage(stage)) throw new NotFoundException({ statusCode: 404, message: `no stage ${stage}; registered: ${this.operations.stages.map((s) => s.name).join(', ')}` });
    return { stage, points: this.operations.monitor.historyOf(stage) };
  }
}
