import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { webhooksStage } from '@spine/platform';
import { ApiKeyGuard } from '@spine/runtime';
import { Outbox, parseSubscriptionInput, SubscriptionStore, TargetUrlPolicy, TargetUrlRefusedError, type DeadLetter, type Issue, type Subscription } from '@spine/webhooks';

const RESULT_TOPICS = webhooksStage.inputs.map((t) => t.name);

function badRequest(issues: Issue[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues });
}

/** Webhook subscriptions: create (the secret is in that answer only), list, inspect, delete; dead letters and redrive. */
@ApiTags('webhooks')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@UseGuards(ApiKeyGuard)
@ApiUnauthorizedResponse({ description: 'Missing or unknown API key.' })
@Controller('v1/webhooks/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly outbox: Outbox,
    private readonly policy: TargetUrlPolicy,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a URL to AI results',
    description:
      'Every result of the topics (default: all result topics) that passes the filter is POSTed to the URL as JSON, signed with ' +
      'Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature). The answer carries the signing secret (whsec_...): ' +
      'it is shown this once. The URL must be http(s), without credentials, and resolve to public addresses only.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['url'],
      properties: {
        url: { type: 'string', example: 'https://crm.example.com/hooks/spine' },
        topics: { type: 'array', items: { type: 'string', enum: RESULT_TOPICS } },
        filter: {
          type: 'object',
          properties: {
            entityKeys: { type: 'array', items: { type: 'string' }, description: 'Only results of these entity keys (customer ids, card ids).' },
            fields: { type: 'object', additionalProperties: { type: 'string' }, example: { priority: 'P1' }, description: 'Field equalities on the result (dotted paths), compared as text.' },
          },
        },
        description: { type: 'string' },
        enabled: { type: 'boolean', default: true },
      },
    },
  })
  @ApiCreatedResponse({ description: 'The subscription, with its secret (this once).' })
  async create(@Body() body: unknown): Promise<Subscription & { secret: string }> {
    const parsed = parseSubscriptionInput(body, RESULT_TOPICS);
    if (parsed.issues) throw badRequest(parsed.issues);
    try {
      await this.policy.check(parsed.input.url);
    } catch (error) {
      if (error instanceof TargetUrlRefusedError) throw badRequest([{ field: 'url', message: error.message }]);
      throw error;
    }
    return this.subscriptions.create(parsed.input);
  }

  @Get()
  @ApiOperation({ summary: 'Every subscription (never a secret)' })
  async list(): Promise<{ subscriptions: Subscription[] }> {
    return { subscriptions: await this.subscriptions.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One subscription (never its secret)' })
  async get(@Param('id') id: string): Promise<Subscription> {
    return (await this.subscriptions.get(id)) ?? this.notFound(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription; its pending deliveries and dead letters go with it' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  async delete(@Param('id') id: string): Promise<void> {
    if (!(await this.subscriptions.delete(id))) this.notFound(id);
  }

  @Get(':id/dead-letters')
  @ApiOperation({ summary: "A subscription's dead-lettered deliveries, with each one's last status and error" })
  async deadLetters(@Param('id') id: string, @Query('limit') limit?: string): Promise<{ deadLetters: DeadLetter[] }> {
    await this.get(id);
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw badRequest([{ field: 'limit', message: 'limit must be an integer from 1 to 1000' }]);
    return { deadLetters: await this.outbox.deadLetters(id, n) };
  }

  @Post(':id/redrive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make dead letters due again (all, or { deliveryIds: [...] }), with a fresh retry schedule' })
  async redrive(@Param('id') id: string, @Body() body: unknown): Promise<{ redriven: number }> {
    await this.get(id);
    const ids = (body as { deliveryIds?: unknown } | undefined)?.deliveryIds;
    if (ids !== undefined && (!Array.isArray(ids) || !ids.every((d) => typeof d === 'string'))) throw badRequest([{ field: 'deliveryIds', message: 'deliveryIds must be an array of delivery ids' }]);
    return { redriven: await this.outbox.redrive(id, ids as string[] | undefined) };
  }

  private notFound(id: string): never {
    throw new NotFoundException({ statusCode: 404, message: `no webhook subscription ${id}` });
  }
}
