import type { IncomingMessage } from 'node:http';
import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { grants, type AuditRecord } from '@spine/edge';
import { ConsoleAudit } from '../audit.js';
import { callerOf, ConsoleAuthGuard } from '../auth/console-auth.guard.js';

/** Who is logged in, and the audit log's recent entries. */
@ApiTags('console')
@UseGuards(ConsoleAuthGuard)
@Controller('v1/admin')
export class SessionController {
  constructor(private readonly audit: ConsoleAudit) {}

  @Get('whoami')
  @ApiOperation({ summary: 'The caller: name, scopes, whether it may act' })
  whoami(@Req() request: IncomingMessage): { name: string; kind: string; scopes: string[]; canAct: boolean } {
    const { principal } = callerOf(request);
    return { name: principal.name, kind: principal.kind, scopes: [...principal.scopes], canAct: grants(principal.scopes, 'operator:act') };
  }

  @Get('audit')
  @ApiOperation({ summary: 'The audit log, newest first (limit, action)' })
  async list(@Query('limit') limit?: string, @Query('action') action?: string): Promise<{ entries: AuditRecord[] }> {
    return { entries: await this.audit.list({ limit: Number(limit ?? 50) || 50, ...(action ? { action } : {}) }) };
  }
}
