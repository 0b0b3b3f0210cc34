import type { IncomingMessage } from 'node:http';
import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ClassConstructor } from 'class-transformer';
import { describePrincipal } from '@spine/edge';
import { ModelControlError, type ModelControl, type ModelVersionView } from '@spine/model-lifecycle';
import { RequireScopes } from '@spine/runtime';
import type { ModelControlEvent, StageRouting } from '@spine/schemas';
import { CONSOLE_ACTIONS, ConsoleAudit } from '../audit.js';
import { callerOf, ConsoleAuthGuard } from '../auth/console-auth.guard.js';
import { validated } from '../api/validation.js';
import { ConsoleModels } from './console-models.js';
import type { VersionPoint } from './model-metrics.js';
import { PromoteDto, RampDto, RegisterVersionDto, RollbackDto, ShadowDto, SplitsDto } from './models.dto.js';

type Action = 'promote' | 'split' | 'ramp' | 'rollback' | 'shadow';
const ACTIONS: Record<Action, { dto: ClassConstructor<object>; run: (control: ModelControl, stage: string, body: never, by: { actor: string; reason?: string }) => Promise<ModelControlEvent> }> = {
  promote: { dto: PromoteDto, run: (c, s, b: PromoteDto, by) => c.promote(s, b.version, by) },
  split: { dto: SplitsDto, run: (c, s, b: SplitsDto, by) => c.split(s, b.splits.map((x) => ({ version: x.version, percent: x.percent })), by) },
  ramp: { dto: RampDto, run: (c, s, b: RampDto, by) => c.ramp(s, b.version, { steps: b.steps, stepIntervalMs: b.stepIntervalMs }, by) },
  rollback: { dto: RollbackDto, run: (c, s, b: RollbackDto, by) => c.rollback(s, { ...by, ...(b.version ? { version: b.version } : {}) }) },
  shadow: { dto: ShadowDto, run: (c, s, b: ShadowDto, by) => c.shadow(s, b.versions, by) },
};

/** The models admin API: every model stage's routing and versions, history, live numbers, and actions through the control topic. */
@ApiTags('console')
@UseGuards(ConsoleAuthGuard)
@Controller('v1/admin/models')
export class ModelsController {
  constructor(
    private readonly models: ConsoleModels,
    private readonly audit: ConsoleAudit,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every model stage: its routing (champion, splits, canary, shadows, cascade, guard) and its model\'s versions' })
  async list(): Promise<{ stages: Array<{ stage: string; service: string; model: string; routing: StageRouting; versions: ModelVersionView[] }> }> {
    const control = await this.models.ready();
    return { stages: this.models.stages.map((s) => ({ stage: s.name, service: s.service, model: s.model!.name, routing: control.routing(s.name), versions: control.versions(s.model!.name) })) };
  }

  @Get('history')
  @ApiOperation({ summary: 'Control events, newest first (automatic rollbacks carry change.automatic and change.reason)' })
  async history(@Query('stage') stage?: string, @Query('limit') limit?: string): Promise<{ events: ModelControlEvent[] }> {
    if (stage) this.stageNamed(stage);
    const control = await this.models.ready();
    return { events: control.history(stage || undefined, Math.min(Number(limit ?? 100) || 100, 1_000)) };
  }

  @Get('metrics')
  @ApiOperation({ summary: "A model stage's per-version live numbers over time (error rate, latency, cache hit rate, cost, agreement, drift)" })
  metrics(@Query('stage') stage: string): { stage: string; versions: Record<string, VersionPoint[]>; unavailable: string | null } {
    const spec = this.stageNamed(stage);
    return { stage, versions: this.models.metrics.of(stage), unavailable: this.models.metrics.errors.get(spec.service) ?? null };
  }

  @Post('versions')
  @HttpCode(201)
  @RequireScopes('operator:act')
  @ApiOperation({ summary: 'Register a model version (its adapter config) on the control topic' })
  async register(@Body() body: unknown, @Req() request: IncomingMessage): Promise<ModelControlEvent> {
    const dto = await validated(RegisterVersionDto, body);
    const actor = describePrincipal(callerOf(request).principal);
    const event = await this.act(() => this.models.ready().then((c) => c.register(dto.model, dto.version, dto.adapter, { actor, ...(dto.description ? { description: dto.description } : {}) })));
    await this.audit.record({ actor, action: CONSOLE_ACTIONS.modelChange, target: `${dto.model}@${dto.version}`, details: { change: 'register', adapter: dto.adapter } });
    return event;
  }

  @Post(':stage/:action')
  @HttpCode(200)
  @RequireScopes('operator:act')
  @ApiOperation({ summary: 'promote | split | ramp | rollback | shadow, through the control topic; audited' })
  async change(@Param('stage') stage: string, @Param('action') action: string, @Body() body: unknown, @Req() request: IncomingMessage): Promise<ModelControlEvent> {
    this.stageNamed(stage);
    const spec = ACTIONS[action as Action];
    if (!spec) throw new NotFoundException({ statusCode: 404, message: `no model action ${action}; actions: ${Object.keys(ACTIONS).join(', ')}` });
    const dto = (await validated(spec.dto, body)) as { reason?: string };
    const actor = describePrincipal(callerOf(request).principal);
    const by = { actor, ...(dto.reason ? { reason: dto.reason } : {}) };
    const event = await this.act(async () => spec.run(await this.models.ready(), stage, dto as never, by));
    await this.audit.record({ actor, action: action === 'promote' ? CONSOLE_ACTIONS.modelPromote : CONSOLE_ACTIONS.modelChange, target: stage, details: { change: action, ...(dto as object) } });
    return event;
  }

  private stageNamed(stage: string) {
    const spec = this.models.stages.find((s) => s.name === stage);
    if (!spec) throw new NotFoundException({ statusCode: 404, message: `no model stage ${stage}; model stages: ${this.models.stages.map((s) => s.name).join(', ')}` });
    return spec;
  }

  /** ModelControlError → 404 (unknown stage/version) or 400 (a change that does not make sense), with its message. */
  private async act<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ModelControlError) {
        if (error.code === 'not_found') throw new NotFoundException({ statusCode: 404, message: error.message });
        throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: error.message, issues: [{ field: '(body)', message: error.message }] });
      }
      throw error;
    }
  }
}
