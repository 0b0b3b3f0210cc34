import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Producer } from 'kafkajs';
import { DeadLetterIndex, PipelineMonitor, RecordDecoder, RedriveMarks } from '@spine/operations';
import { spinePlatform } from '@spine/platform';
import { SpineContext } from '@spine/runtime';
import type { StageSpec } from '@spine/topology';
import { numberFromEnv } from '@spine/edge';

/**
 * The console's live view of the pipeline, from Kafka alone: a PipelineMonitor (lag, members, rates, sampled every
 * SPINE_CONSOLE_SAMPLE_MS = 2000) and a DeadLetterIndex (every stage's dead letters tailed into memory, at most
 * SPINE_CONSOLE_DEAD_LETTERS_PER_STAGE = 100,000 each), started once Kafka answers.
 */
@Injectable()
export class ConsoleOperations implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly stages: readonly StageSpec[] = spinePlatform.stages;
  readonly monitor: PipelineMonitor;
  readonly deadLetters: DeadLetterIndex;
  private readonly admin: Admin;
  readonly producer: Producer;
  private started: Promise<void> | undefined;
  private marks: Promise<RedriveMarks> | undefined;

  constructor(readonly context: SpineContext) {
    this.admin = context.kafka.admin();
    this.producer = context.kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
    this.monitor = new PipelineMonitor(this.admin, this.stages, spinePlatform.topics, context.deployment, { intervalMs: numberFromEnv(process.env, 'SPINE_CONSOLE_SAMPLE_MS', 2_000) });
    const target = { kafka: context.kafka, deployment: context.deployment, topics: spinePlatform.topics };
    this.deadLetters = new DeadLetterIndex(target, this.stages, { ...target, catalog: context.catalog, decoder: new RecordDecoder(context.registry) }, { maxPerStage: numberFromEnv(process.env, 'SPINE_CONSOLE_DEAD_LETTERS_PER_STAGE', 100_000), marks: () => this.redriveMarks() });
  }

  onApplicationBootstrap(): void {
    this.started = this.context.kafkaReady.then(async () => {
      await Promise.all([this.admin.connect(), this.producer.connect()]);
      await this.monitor.start();
      await this.deadLetters.start();
      this.context.log('info', 'console is watching the pipeline', { stages: this.stages.length });
    });
    this.started.catch((error: Error) => this.context.log('error', 'console could not start watching the pipeline', { error: error.message }));
  }

  /** Where the console records dead letters it re-drove one by one, for a later re-drive of everything to skip. */
  redriveMarks(): Promise<RedriveMarks> {
    this.marks ??= RedriveMarks.open(this.context.kafka, this.context.codecs).catch((error: unknown) => {
      this.marks = undefined; // the registry may answer next time
      throw error;
    });
    return this.marks;
  }

  /** Resolves once the monitor and the index run. */
  ready(): Promise<void> {
    return this.started ?? Promise.reject(new Error('not started'));
  }

  /** A registered stage, or undefined. */
  stage(name: string): StageSpec | undefined {
    return this.stages.find((s) => s.name === name);
  }

  async onApplicationShutdown(): Promise<void> {
    this.monitor.stop();
    await this.deadLetters.stop().catch(() => undefined);
    await Promise.all([this.admin.disconnect(), this.producer.disconnect()]).catch(() => undefined);
  }
}
