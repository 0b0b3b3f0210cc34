import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SpineProducer } from '../kafka/producer.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { OpsController } from './ops.controller.js';
import { SpineContext } from './spine-context.js';
import { StageExplorer } from './stage-explorer.js';
import { SPINE_RUNTIME_OPTIONS, type SpineRuntimeOptions } from './tokens.js';

/**
 * Spine's runtime as a Nest module: Kafka, registry, codecs, the producer, @Stage discovery and
 * lifecycle, and the ops endpoints. Import once, in the app module. Generic: it runs whatever registered
 * stages the app's providers declare, and resolves only their topics (plus `publishes`).
 */
@Global()
@Module({})
export class SpineRuntimeModule {
  static forRoot(options: SpineRuntimeOptions): DynamicModule {
    return {
      module: SpineRuntimeModule,
      imports: [DiscoveryModule],
      controllers: [OpsController],
      providers: [
        { provide: SPINE_RUNTIME_OPTIONS, useValue: options },
        { provide: SpineContext, useFactory: () => SpineContext.create(options.service, options.publishes) },
        { provide: SpineProducer, useFactory: (context: SpineContext) => context.producer, inject: [SpineContext] },
        StageExplorer,
        ApiKeyGuard,
      ],
      exports: [SpineContext, SpineProducer, ApiKeyGuard, SPINE_RUNTIME_OPTIONS],
    };
  }
}
