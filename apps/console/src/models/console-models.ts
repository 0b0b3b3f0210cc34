import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { numberFromEnv } from '@spine/edge';
import { ModelControl } from '@spine/model-lifecycle';
import { spinePlatform } from '@spine/platform';
import { SpineContext } from '@spine/runtime';
import type { StageSpec } from '@spine/topology';
import { LiveFeed } from '../live/live-feed.js';
import { ModelMetrics } from './model-metrics.js';

/**
 * The model stages' control (ModelControl over the control topic: routing, versions, history, actions) and their
 * live per-version numbers (ModelMetrics, every SPINE_CONSOLE_MODEL_SCRAPE_MS = 5000), both pushed to the page.
 */
@Injectable()
export class ConsoleModels implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly stages: readonly StageSpec[] = spinePlatform.stages.filter((s) => s.model);
  readonly metrics: ModelMetrics;
  private control: ModelControl | undefined;
  private starting: Promise<ModelControl> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly context: SpineContext,
    private readonly feed: LiveFeed,
  ) {
    this.metrics = new ModelMetrics(this.stages, {
      intervalMs: numberFromEnv(process.env, 'SPINE_CONSOLE_MODEL_SCRAPE_MS', 5_000),
      points: 360,
      onSample: () => this.feed.publish('model-metrics', { at: new Date().toISOString() }),
    });
  }

  onApplicationBootstrap(): void {
    this.starting = this.context.kafkaReady.then(async () => {
      const control = await ModelControl.fromEnv({ clientId: 'spine-console-models' });
      await control.start();
      this.unsubscribe = control.onChange((event) => this.feed.publish('models', event));
      this.control = control;
      return control;
    });
    this.starting.catch((error: Error) => this.context.log('error', 'console could not follow the model control topic', { error: error.message }));
    this.metrics.start();
  }

  /** ModelControl once caught up with the control topic. */
  async ready(): Promise<ModelControl> {
    if (this.control) return this.control;
    if (!this.starting) throw new Error('the console has not started');
    return this.starting;
  }

  async onApplicationShutdown(): Promise<void> {
    this.metrics.stop();
    this.unsubscribe?.();
    await this.control?.stop().catch(() => undefined);
  }
}
