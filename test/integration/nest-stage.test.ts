import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Injectable, Module, UseInterceptors, type CallHandler, type ExecutionContext, type INestApplicationContext, type NestInterceptor } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import { supportTriage } from '@spine/platform';
import { Stage, SpineRuntimeModule, type Emit, type InboundMessage, type RecordContext, type Next, type StageMiddlewareProvider } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';

const { stages, topics } = supportTriage;
const seen: string[] = [];

/** A Nest interceptor on a stage method: sees the execution context of type 'spine' and the handler's result. */
@Injectable()
class TagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const message = context.getArgByIndex<InboundMessage<SupportMessageReceived>>(0);
    seen.push(`interceptor ${context.getType()} ${message.value.body}`);
    return next.handle().pipe(map((emit: Emit) => ({ ...emit, headers: { ...emit.headers, 'x-intercepted': 'yes' } })));
  }
}

/** A middleware as an injectable provider (it could inject a cache client, a model registry, ...). */
@Injectable()
class AuditMiddleware implements StageMiddlewareProvider {
  async use(context: RecordContext, next: Next): Promise<readonly Emit[]> {
    seen.push(`middleware ${context.stage.name}`);
    return next();
  }
}

@Injectable()
class ProbeStage {
  @Stage(stages.enrichment)
  @UseInterceptors(TagInterceptor)
  async enrich(m: InboundMessage<SupportMessageReceived>) {
    seen.push(`handler ${m.value.body}`);
    return { topic: topics.enrichedMessages, key: m.value.customerId, value: { message: m.value, features: { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 1, previousContactAt: null, lifetimeOrderAmount: '0.00' } } };
  }
}

@Module({ imports: [SpineRuntimeModule.forRoot({ service: 'enrichment', middlewares: [AuditMiddleware] })], providers: [AuditMiddleware, TagInterceptor, ProbeStage] })
class ProbeModule {}

/** @Stage handlers run through Nest's execution context: interceptors apply, middlewares can be providers. */
describe('stages inside a Nest application', () => {
  let fx: SpineFixture;
  let app: INestApplicationContext | undefined;
  const previousPrefix = process.env.SPINE_TOPIC_PREFIX;

  beforeAll(async () => {
    fx = await provisionedFixture('nest', 1);
    process.env.SPINE_TOPIC_PREFIX = fx.prefix;
  });

  afterAll(async () => {
    await app?.close();
    if (previousPrefix === undefined) delete process.env.SPINE_TOPIC_PREFIX;
    else process.env.SPINE_TOPIC_PREFIX = previousPrefix;
    await fx.close();
  });

  it('applies a Nest interceptor on the stage method and an injectable middleware around it', async () => {
    app = await NestFactory.createApplicationContext(ProbeModule, { logger: false });
    await app.init();
    const value: SupportMessageReceived = {
      metadata: { eventId: randomUUID(), occurredAt: new Date(), receivedAt: new Date(), source: 'nest', correlationId: randomUUID() },
      customerId: 'c-nest', channel: 'CHAT', subject: null, body: 'through nest', orderAmount: null,
    };
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'c-nest', value }]);
    const [out] = await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 1);
    expect(out!.headers['x-intercepted']).toBe('yes');
    expect(seen).toEqual(['middleware enrichment', 'interceptor spine through nest', 'handler through nest']);
  });
});
