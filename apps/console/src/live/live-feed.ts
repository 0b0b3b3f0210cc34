import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConsoleOperations } from '../operations.service.js';

/** Something that receives live events (an SSE connection). */
export type LiveListener = (event: string, data: unknown) => void;

/**
 * Fans live events out to every connected page: each pipeline sample (`topology`) and, with it, the dead-letter
 * summaries (`dead-letters`); other parts publish their own (`models`, `model-metrics`).
 */
@Injectable()
export class LiveFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listeners = new Set<LiveListener>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly operations: ConsoleOperations) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.operations.monitor.onSample((snapshot) => {
      this.publish('topology', snapshot);
      this.publish('dead-letters', { stages: this.operations.deadLetters.summaries() });
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: string, data: unknown): void {
    for (const listener of this.listeners) listener(event, data);
  }
}
