import { Inject, Injectable, type Type, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import type { StageMiddleware } from '../middleware/types.js';
import type { StageSpec } from '@spine/topology';
import { MicroBatcher, type BatchResults } from '../stage/micro-batcher.js';
import { StageRunner, type RuntimeHandler } from '../stage/stage-runner.js';
import type { InboundMessage, StageResult } from '../stage/types.js';
import { SpineContext } from './spine-context.js';
import type { StageMetadata } from './stage.decorator.js';
import { SPINE_RUNTIME_OPTIONS, STAGE_METADATA, type MiddlewareRef, type SpineRuntimeOptions, type StageMiddlewareProvider } from './tokens.js';

/** Finds @Stage handlers in every provider, runs a StageRunner for each, and stops them on shutdown. */
@Injectable()
export class StageExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly runners: StageRunner[] = [];
  /** Resolves once every stage has joined its group (or was stopped while starting); rejects if one could not start. */
  started: Promise<void> = Promise.resolve();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly externalContext: ExternalContextCreator,
    private readonly moduleRef: ModuleRef,
    private readonly context: SpineContext,
    @Inject(SPINE_RUNTIME_OPTIONS) private readonly options: SpineRuntimeOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const global = await this.middlewares(this.options.middlewares ?? []);
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName];
        if (typeof method !== 'function') continue;
        const metadata = this.reflector.get<StageMetadata | undefined>(STAGE_METADATA, method);
        if (!metadata) continue;
        // Through Nest's execution context, so guards and interceptors on the method apply to records
        // as they do to HTTP routes (context type 'spine'; arguments: the message, the record context).
        const invoke = this.externalContext.create(
          instance,
          method as (...args: unknown[]) => unknown,
          methodName,
          undefined,
          undefined,
          undefined,
          undefined,
          { guards: true, interceptors: true, filters: false },
          'spine',
        );
        const handler: RuntimeHandler = metadata.batch
          ? batchingHandler(invoke as (messages: InboundMessage<unknown, unknown>[]) => Promise<BatchResults<StageResult<StageSpec>>>, metadata.spec.batch!)
          : (invoke as RuntimeHandler);
        if (metadata.spec.service !== this.options.service) {
          this.context.log('warn', 'stage is registered to another service', { stage: metadata.spec.name, registeredService: metadata.spec.service, service: this.options.service });
        }
        const own = await this.middlewares(metadata.middlewares);
        const { kafka, codecs, producer, partitioner, metrics, log } = this.context;
        this.runners.push(new StageRunner(metadata.spec, handler, { kafka, codecs, producer, partitioner, metrics, log }, [...global, ...own]));
      }
    }
    // In the background: the HTTP server listens at once, so /health/live answers (Kubernetes' startup probe)
    // while Kafka is unreachable or a group is slow to join, and /health/ready says which step each stage is at.
    // A stage that cannot start (a schema not registered, say) ends the process: see bootstrapService.
    this.started = Promise.all(this.runners.map((runner) => runner.start(this.context.kafkaReady))).then(() => undefined);
    this.started.catch(() => undefined); // observed by bootstrapService
  }

  /** Before other modules' shutdown hooks (which may close the pools handlers use): drain and commit first. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.context.producer.disconnect();
    await this.context.partitioner.stop();
  }

  private async middlewares(refs: readonly MiddlewareRef[]): Promise<StageMiddleware[]> {
    const out: StageMiddleware[] = [];
    for (const ref of refs) {
      if (isClass(ref)) {
        const provider = this.moduleRef.get(ref, { strict: false }) ?? (await this.moduleRef.create(ref));
        out.push((context, next) => provider.use(context, next));
      } else {
        out.push(ref as StageMiddleware);
      }
    }
    return out;
  }
}

function isClass(ref: MiddlewareRef): ref is Type<StageMiddlewareProvider> {
  return typeof ref === 'function' && /^class\s/.test(Function.prototype.toString.call(ref));
}

/** A per-record handler that hands each record to a batch handler through a MicroBatcher. */
export function batchingHandler(
  handleBatch: (messages: InboundMessage<unknown, unknown>[]) => Promise<BatchResults<StageResult<StageSpec>>>,
  limits: NonNullable<StageSpec['batch']>,
): RuntimeHandler {
  const batcher = new MicroBatcher(handleBatch, limits);
  return (message) => batcher.submit(message);
}
