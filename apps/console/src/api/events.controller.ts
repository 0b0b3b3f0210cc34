import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConsoleAuthGuard } from '../auth/console-auth.guard.js';
import { ConsoleOperations } from '../operations.service.js';
import { LiveFeed } from '../live/live-feed.js';

/** GET /v1/admin/events: Server-Sent Events (`topology`, `dead-letters`, `models` ...) for the page to redraw live. */
@ApiTags('console')
@UseGuards(ConsoleAuthGuard)
@Controller('v1/admin/events')
export class EventsController {
  constructor(
    private readonly operations: ConsoleOperations,
    private readonly feed: LiveFeed,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Live updates as text/event-stream' })
  async events(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    response.write('retry: 2000\n\n');
    const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const unsubscribe = this.feed.subscribe(send);
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    request.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
    send('topology', await this.operations.monitor.snapshot().catch(() => null));
    send('dead-letters', { stages: this.operations.deadLetters.summaries() });
  }
}
