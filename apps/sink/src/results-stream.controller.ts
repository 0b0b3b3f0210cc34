import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, Controller, Get, Inject, Query, Req, Res, ServiceUnavailableException, UseGuards, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AiResultFeed, AiResultStore, type StreamFilter, type StreamPosition } from '@spine/ai-result-store';
import { sinkStage } from '@spine/platform';
import { PG_POOL, databaseSchema } from '@spine/postgres';
import { ApiKeyGuard, SpineContext, RequireScopes } from '@spine/runtime';
import type pg from 'pg';
import { Counter, Gauge } from 'prom-client';
import { SseWriter } from './sse-writer.js';
import { toResultView } from './to-ai-result-row.js';

const RESULT_TOPICS = sinkStage.inputs.map((t) => t.name);
const PAGE = 200;
/** How soon to read again while newer rows wait for an older transaction to end. */
const HELD_RETRY_MS = 50;
/** Rows held back this long get a log line naming the transaction that holds them. */
const HELD_WARN_MS = 10_000;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/**
 * GET /v1/results/stream: stored results as Server-Sent Events, filtered by result topic and/or entity
 * key. Each event's id is the row's sequence; reconnecting with Last-Event-ID (or ?lastEventId=) replays
 * from the store what was stored meanwhile, in order, then continues live (PostgreSQL LISTEN/NOTIFY).
 * A slow client is read for from the store, one page at a time, never buffered without bound.
 */
@ApiTags('results')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@UseGuards(ApiKeyGuard)
@RequireScopes('results:read')
@Controller('v1/results')
export class ResultsStreamController implements BeforeApplicationShutdown {
  private readonly feed: AiResultFeed;
  private readonly streams = new Set<AbortController>();
  private readonly heartbeatMs = env('SPINE_RESULTS_STREAM_HEARTBEAT_MS', 15_000);
  private readonly stallTimeoutMs = env('SPINE_RESULTS_STREAM_STALL_TIMEOUT_MS', 60_000);
  private readonly maxClients = env('SPINE_RESULTS_STREAM_MAX_CLIENTS', 1_000);
  private readonly clients: Gauge;
  private readonly events: Counter;

  constructor(
    _migrated: AiResultStore, // injected so the table (and its stream columns) exist before the first read
    @Inject(PG_POOL) pool: pg.Pool,
    private readonly context: SpineContext,
  ) {
    this.feed = new AiResultFeed(pool, { schema: databaseSchema() });
    const registry = context.metrics.registry;
    this.clients = new Gauge({ name: 'spine_results_stream_clients', help: 'Open result streams (SSE)', registers: [registry] });
    this.events = new Counter({ name: 'spine_results_stream_events_total', help: 'Results sent on streams', registers: [registry] });
  }

  @Get('stream')
  @ApiOperation({
    summary: 'Results as they are stored (Server-Sent Events), resumable',
    description:
      'Each `result` event carries what GET /v1/results/:eventId answers, with `id:` = the row\'s sequence. Reconnect with ' +
      'Last-Event-ID (or ?lastEventId=) = the last id received to get everything stored meanwhile, in order, then live; ' +
      '`0` replays from the beginning; without it the stream starts now. Heartbeat comments every 15 s.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'topic', required: false, enum: RESULT_TOPICS, description: 'Only results of this result topic.' })
  @ApiQuery({ name: 'entity', required: false, description: 'Only results of this entity key (customer id, card id).' })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'Resume after this event id (for clients that cannot send the Last-Event-ID header).' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (EventSource sends it on reconnect).' })
  @ApiOkResponse({ description: 'An event stream: `event: result`, `id: <sequence>`, `data: <result JSON>`.' })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown API key.' })
  async stream(
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
    @Query('topic') topic?: string,
    @Query('entity') entity?: string,
    @Query('lastEventId') lastEventIdParam?: string,
  ): Promise<void> {
    const issues: Array<{ field: string; message: string }> = [];
    if (topic !== undefined && !RESULT_TOPICS.includes(topic)) issues.push({ field: 'topic', message: `topic must be one of ${RESULT_TOPICS.join(', ')}` });
    if (entity !== undefined && (entity.length === 0 || entity.length > 512)) issues.push({ field: 'entity', message: 'entity must be 1 to 512 characters' });
    const header = req.headers['last-event-id'];
    const lastEventId = (Array.isArray(header) ? header[0] : header) ?? lastEventIdParam;
    if (lastEventId !== undefined && !AiResultFeed.isSequence(lastEventId)) issues.push({ field: 'Last-Event-ID', message: 'the last event id must be a sequence number received from this stream (or 0)' });
    if (issues.length) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: issues.map((i) => i.message).join('; '), issues });
    if (this.streams.size >= this.maxClients) throw new ServiceUnavailableException(`${this.maxClients} streams are open (SPINE_RESULTS_STREAM_MAX_CLIENTS); retry later`);

    const from = lastEventId !== undefined ? await this.feed.after(lastEventId) : await this.feed.now();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const filter: StreamFilter = { ...(topic !== undefined ? { resultTopic: topic } : {}), ...(entity !== undefined ? { entityKey: entity } : {}) };
    void this.pump(res, from, filter);
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const stream of this.streams) stream.abort();
    await this.feed.close();
  }

  private async pump(res: ServerResponse, from: StreamPosition, filter: StreamFilter): Promise<void> {
    const abort = new AbortController();
    this.streams.add(abort);
    this.clients.set(this.streams.size);
    res.on('close', () => abort.abort());
    const writer = new SseWriter(res, this.stallTimeoutMs);
    const heartbeat = setInterval(() => writer.comment('heartbeat'), this.heartbeatMs);
    let position = from;
    let heldSince: number | undefined;
    let warnedAt = 0;
    try {
      while (!abort.signal.aborted) {
        const seen = this.feed.version;
        const { results, held } = await this.feed.read(position, filter, PAGE);
        heldSince = held ? (heldSince ?? Date.now()) : undefined;
        if (heldSince !== undefined && Date.now() - Math.max(heldSince, warnedAt) > HELD_WARN_MS) {
          warnedAt = Date.now();
          this.context.log('warn', 'result stream held back by an open transaction (streams wait for it to end)', { oldest: await this.feed.oldestOpenTransaction() });
        }
        for (const r of results) {
          if (!(await writer.event({ id: r.sequence, event: 'result', data: JSON.stringify(toResultView(r.row)) }))) return;
          position = r.position;
          this.events.inc();
        }
        // Held rows are read again soon, backing off (to 1 s) while an old transaction keeps holding them.
        const wait = held ? Math.min(HELD_RETRY_MS * 2 ** Math.floor((Date.now() - heldSince!) / 1_000), 1_000) : this.heartbeatMs;
        if (results.length < PAGE) await this.feed.changedSince(seen, wait, abort.signal);
      }
    } catch (error) {
      // The client reconnects and resumes from its last id; nothing is lost by ending here.
      this.context.log('warn', 'result stream ended on an error', { error: (error as Error).message });
    } finally {
      clearInterval(heartbeat);
      this.streams.delete(abort);
      this.clients.set(this.streams.size);
      if (!res.writableEnded) res.end();
    }
  }
}
