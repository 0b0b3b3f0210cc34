import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { StageRunner } from '../stage/stage-runner.js';
import type { StageHandler, StageOptions } from '../stage/types.js';
import { SpineContext } from './spine-context.js';
import { STAGE_METADATA } from './tokens.js';

/** Finds @Stage handlers in every provider, runs a StageRunner for each, and stops them on shutdown. */
@Injectable()
export class StageExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly runners: StageRunner[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly context: SpineContext,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName];
        if (typeof method !== 'function') continue;
        const options = this.reflector.get<StageOptions | undefined>(STAGE_METADATA, method);
        if (!options) continue;
        const handler: StageHandler = (message) => method.call(instance, message);
        const { kafka, codecs, producer, metrics, topology, log } = this.context;
        this.runners.push(new StageRunner(options, handler, { kafka, codecs, producer, metrics, topicPrefix: topology.prefix, log }));
      }
    }
    await Promise.all(this.runners.map((runner) => runner.start()));
  }

  /** Before other modules' shutdown hooks (which may close the pools handlers use): drain and commit first. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.context.producer.disconnect();
    await this.context.partitioner.stop();
  }
}
