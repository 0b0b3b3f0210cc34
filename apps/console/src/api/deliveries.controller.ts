import type { IncomingMessage } from 'node:http';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { describePrincipal } from '@spine/edge';
import { RequireScopes } from '@spine/runtime';
import type { DeadLetter } from '@spine/webhooks';
import { CONSOLE_ACTIONS, ConsoleAudit } from '../audit.js';
import { callerOf, ConsoleAuthGuard } from '../auth/console-auth.guard.js';
import { DeliveriesService, type DeliveryRow } from '../live/deliveries.service.js';
import { badRequest } from './validation.js';

/** Webhook deliveries: subscriptions with success rate, latency, backlog; their dead letters and re-drive. */
@ApiTags('console')
@UseGuards(ConsoleAuthGuard)
@Controller('v1/admin/deliveries')
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly audit: ConsoleAudit,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every webhook subscription with success rate, mean latency, backlog and dead letters' })
  list(): Promise<{ subscriptions: DeliveryRow[]; metrics: string | null }> {
    return this.deliveries.list();
  }

  @Get(':id/dead-letters')
  @ApiOperation({ summary: "A subscription's dead-lettered deliveries" })
  async deadLetters(@Param('id') id: string, @Query('limit') limit?: string): Promise<{ deadLetters: DeadLetter[] }> {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw badRequest([{ field: 'limit', message: 'limit must be an integer from 1 to 1000' }]);
    return { deadLetters: await this.deliveries.deadLetters(id, n) };
  }

  @Post(':id/redrive')
  @HttpCode(200)
  @RequireScopes('operator:act')
  @ApiOperation({ summary: "Make a subscription's dead letters due again (all, or { deliveryIds }); audited" })
  async redrive(@Param('id') id: string, @Body() body: unknown, @Req() request: IncomingMessage): Promise<{ redriven: number }> {
    const ids = (body as { deliveryIds?: unknown } | undefined)?.deliveryIds;
    if (ids !== undefined && (!Array.isArray(ids) || !ids.every((d) => typeof d === 'string'))) throw badRequest([{ field: 'deliveryIds', message: 'deliveryIds must be an array of delivery ids' }]);
    const redriven = await this.deliveries.outbox.redrive(id, ids as string[] | undefined);
    await this.audit.record({ actor: describePrincipal(callerOf(request).principal), action: CONSOLE_ACTIONS.deliveryRedrive, target: id, details: { change: 'redrive', redriven, ...(ids ? { deliveryIds: ids } : {}) } });
    return { redriven };
  }
}
