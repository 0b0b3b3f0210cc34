import type { IncomingMessage } from 'node:http';
import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { describePrincipal } from '@spine/edge';
import { redriveMessages, redriveStage, type IndexSummary, type LetterPage, type RedriveReport } from '@spine/operations';
import { spinePlatform } from '@spine/platform';
import { RequireScopes } from '@spine/runtime';
import { resolveTopic, type StageSpec } from '@spine/topology';
import { CONSOLE_ACTIONS, ConsoleAudit } from '../audit.js';
import { callerOf, ConsoleAuthGuard } from '../auth/console-auth.guard.js';
import { ConsoleOperations } from '../operations.service.js';
import { RedriveDto } from './dead-letters.dto.js';
import { badRequest, validated } from './validation.js';

/** Dead letters per stage: summaries, filtered pages (cause headers + decoded original), and re-drive with an audit record. */
@ApiTags('console')
@UseGuards(ConsoleAuthGuard)
@Controller('v1/admin/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly operations: ConsoleOperations,
    private readonly audit: ConsoleAudit,
  ) {}

  @Get()
  @ApiOperation({ summary: "Every stage's dead letters: count, not re-driven, newest, error classes" })
  summaries(): { stages: IndexSummary[] } {
    return { stages: this.operations.deadLetters.summaries() };
  }

  @Get(':stage')
  @ApiOperation({ summary: "A stage's dead letters, newest first, filtered by errorClass and time (since/until, ISO-8601), paged (skip/limit)" })
  async page(@Param('stage') name: string, @Query() query: Record<string, string | undefined>): Promise<LetterPage> {
    const stage = this.stageNamed(name);
    const issues: Array<{ field: string; message: string }> = [];
    const time = (field: 'since' | 'until') => {
      const raw = query[field];
      if (raw === undefined || raw === '') return undefined;
      const at = Date.parse(raw);
      if (Number.isNaN(at)) issues.push({ field, message: `${field} must be an ISO-8601 time, got "${raw}"` });
      return at;
    };
    const whole = (field: 'skip' | 'limit', fallback: number, max: number) => {
      const raw = query[field];
      if (raw === undefined || raw === '') return fallback;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > max) issues.push({ field, message: `${field} must be an integer from 0 to ${max}` });
      return n;
    };
    const filter = { since: time('since'), until: time('until'), skip: whole('skip', 0, 1_000_000), limit: whole('limit', 50, 500), ...(query.errorClass ? { errorClass: query.errorClass } : {}) };
    if (issues.length) throw badRequest(issues);
    return this.operations.deadLetters.page(stage, filter);
  }

  @Post(':stage/redrive')
  @HttpCode(200)
  @RequireScopes('operator:act')
  @ApiOperation({ summary: 'Re-drive dead letters to their source topics: { records: [{ partition, offset }] } or { all: true } (the redrive group, shared with `spine redrive`); audited' })
  async redrive(@Param('stage') name: string, @Body() body: unknown, @Req() request: IncomingMessage): Promise<RedriveReport> {
    const stage = this.stageNamed(name);
    const dto = await validated(RedriveDto, body);
    if (!dto.all === !dto.records) throw badRequest([{ field: 'records', message: 'send either records: [{ partition, offset }, ...] or all: true' }]);
    const actor = describePrincipal(callerOf(request).principal);
    let report: RedriveReport;
    if (dto.all) {
      report = await redriveStage({ kafka: this.operations.context.kafka, deployment: this.operations.context.deployment, topics: spinePlatform.topics }, stage, { stopAtEnd: true, idleMs: 10_000, marks: await this.operations.redriveMarks() });
    } else {
      const index = this.operations.deadLetters;
      const letters = dto.records!.map((r) => ({ ref: r, letter: index.find(stage.name, r.partition, r.offset) }));
      const unknown = letters.filter((l) => !l.letter);
      if (unknown.length) throw new NotFoundException({ statusCode: 404, message: `no dead letter of ${stage.name} at ${unknown.map((u) => `p${u.ref.partition}@${u.ref.offset}`).join(', ')}` });
      report = await redriveMessages(this.operations.producer, resolveTopic(stage.deadLetter, this.operations.context.deployment).name, letters.map((l) => ({ partition: l.letter!.partition, message: l.letter!.message })), { marks: await this.operations.redriveMarks(), actor });
    }
    this.operations.deadLetters.markRedriven(stage.name, report.records);
    await this.audit.record({
      actor,
      action: CONSOLE_ACTIONS.redrive,
      target: stage.name,
      details: { topic: report.topic, moved: report.moved, mode: dto.all ? 'all' : 'selection', records: report.records.slice(0, 1_000), ...(dto.reason ? { reason: dto.reason } : {}) },
    });
    return report;
  }

  private stageNamed(name: string): StageSpec {
    const stage = this.operations.stage(name);
    if (!stage) throw new NotFoundException({ statusCode: 404, message: `no stage ${name}; registered: ${this.operations.stages.map((s) => s.name).join(', ')}` });
    return stage;
  }
}
