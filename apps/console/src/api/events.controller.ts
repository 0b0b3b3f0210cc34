import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { numberFromEnv } from '@spine/edge';
import { ConsoleAuth } from '../auth/console-auth.js';
import { ConsoleAuthGuard } from '../auth/console-auth.guard.js';
import { ConsoleOperations } from '../operations.service.js';
import { LiveFeed } from '../live/live-feed.js';

/**
 * GET /v1/admin/events: Server-Sent Events (`topology`, `dead-letters`, `models` ...) for the page to redraw live.
 * The caller is checked again every SPINE_CONSOLE_STREAM_RECHECK_MS (5 s): once its session ended (log-out on any
 * replica, expiry) or its key was revoked, the stream sends `session-ended` and closes, so no stream outlives
 * the right to read it.
 */
@ApiTags('console')
@UseGuards(ConsoleAuthGuard)
@Controller('v1/admin/events')
export class EventsController {
  private readonly recheckMs = numberFromEnv(process.env, 'SPINE_CONSOLE_STREAM_RECHECK_MS', 5_000);

  constructor(
    private readonly operations: ConsoleOperations,
    private readonly feed: LiveFeed,
    private readonly auth: ConsoleAuth,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Live updates as text/event-stream' })
  async events(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    response.write('retry: 2000\n\n');
    const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const unsubscribe = this.feed.subscribe(send);
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    const recheck = setInterval(() => {
      void this.auth.caller(request).then((caller) => {
        // 503 (the database cannot be read now) keeps the stream: only a definite 401 ends it.
        if (caller.via !== 'none' || caller.status !== 401 || response.writableEnded) return;
        send('session-ended', { message: caller.message });
        response.end();
      }, () => undefined);
    }, this.recheckMs);
    request.on('close', () => {
      clearInterval(keepAlive);
      clearInterval(recheck);
      unsubscribe();
    });
    send('topology', await this.operations.monitor.snapshot().catch(() => null));
    send('dead-letters', { stages: this.operations.deadLetters.summaries() });
  }
}
