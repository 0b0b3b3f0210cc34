import { hostname } from 'node:os';
import { Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { InferenceCache } from '@spine/inference-cache';
import { databaseSchema } from '@spine/postgres';
import { SpineContext } from '@spine/runtime';
import type { StageSpec } from '@spine/topology';
import pg from 'pg';
import { ModelControl } from '../control/model-control.js';
import { ModelGuard } from '../guard/model-guard.js';
import type { ModelBinding } from '../serving/binding.js';
import { ModelServing } from '../serving/model-serving.js';
import { cacheSettingsFromEnv } from './cache-settings.js';

/** Makes a stage's model router (with its guard), sharing the process's control-topic reader and inference cache. */
@Injectable()
export class ModelServingFactory implements OnApplicationShutdown {
  private readonly made: Array<{ serving: ModelServing<unknown, unknown>; guard: ModelGuard }> = [];

  constructor(
    private readonly context: SpineContext,
    readonly control: ModelControl,
    private readonly cache: { cache?: InferenceCache; pool?: pg.Pool },
  ) {}

  create<I, O>(stage: StageSpec, binding: ModelBinding<I, O>): ModelServing<I, O> {
    const serving = new ModelServing(stage, binding, { control: this.control, registry: this.context.metrics.registry, ...(this.cache.cache ? { cache: this.cache.cache } : {}) });
    const guard = new ModelGuard(serving as ModelServing<unknown, unknown>, this.control, { actor: `${this.context.service}@${hostname()}:${process.pid}`, log: this.context.log });
    guard.start();
    this.made.push({ serving: serving as ModelServing<unknown, unknown>, guard });
    return serving;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const { serving, guard } of this.made.splice(0)) {
      await guard.stop();
      await serving.close();
    }
    await this.cache.cache?.close();
    await this.cache.pool?.end();
    await this.control.stop();
  }
}

/**
 * The model lifecycle for a stage service: a reader of the model control topic (caught up before the stages consume)
 * and the ModelServingFactory its stages make their routers with. The inference cache is PostgreSQL's (DATABASE_URL),
 * used by versions registered with a cache TTL; SPINE_INFERENCE_CACHE=off turns it off.
 */
@Module({})
export class ModelLifecycleModule {
  static forRoot(): DynamicModule {
    return {
      module: ModelLifecycleModule,
      providers: [
        {
          provide: ModelControl,
          inject: [SpineContext],
          useFactory: async (context: SpineContext) => {
            await context.kafkaReady;
            const control = new ModelControl({ kafka: context.kafka, codecs: context.codecs, clientId: context.service, log: context.log });
            await control.start();
            const champions = Object.fromEntries(control.state.routingsOf(context.service).map(([stage, routing]) => [stage, `${routing.champion} (revision ${routing.revision})`]));
            context.log('info', 'model control topic read', { champions });
            return control;
          },
        },
        {
          provide: ModelServingFactory,
          inject: [SpineContext, ModelControl],
          useFactory: async (context: SpineContext, control: ModelControl) => {
            const settings = cacheSettingsFromEnv();
            if (!settings) return new ModelServingFactory(context, control, {});
            const pool = new pg.Pool({ connectionString: settings.url, application_name: `spine-${context.service}-cache`, max: 4 });
            pool.on('error', (error) => context.log('warn', 'idle PostgreSQL client of the inference cache failed', { error: error.message }));
            const cache = new InferenceCache(pool, { schema: databaseSchema(), ttlMs: settings.retentionMs, maxEntries: settings.maxEntries, registry: context.metrics.registry, onError: (error) => context.log('warn', 'inference cache prune failed', { error: (error as Error).message }) });
            await cache.migrate();
            return new ModelServingFactory(context, control, { cache, pool });
          },
        },
      ],
      exports: [ModelControl, ModelServingFactory],
    };
  }
}
