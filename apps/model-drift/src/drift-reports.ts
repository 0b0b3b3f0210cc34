import { Inject, Injectable } from '@nestjs/common';
import { DriftDetector, type DriftReferenceStore } from '@spine/drift-detection';
import { readWholeTopic } from '@spine/operations';
import { modelDriftTopic } from '@spine/platform';
import { DependencyUnavailableError, SpineContext } from '@spine/runtime';
import type { ModelDriftEvent } from '@spine/schemas';
import { REFERENCE_STORE } from './reference-store.provider.js';

/**
 * Reads back the drift events this deployment published (the drift topic, start to end) once, before the stage's
 * first record, so a restart does not report again a drift that has not ended (see DriftDetector.restoreReported).
 * Only with stored references: a re-learnt reference starts armed anyway. A failed read retries the batch.
 */
@Injectable()
export class DriftReports {
  private restored: Promise<void> | undefined;

  constructor(
    private readonly detector: DriftDetector,
    private readonly context: SpineContext,
    @Inject(REFERENCE_STORE) private readonly store: DriftReferenceStore | null,
  ) {}

  restore(): Promise<void> {
    if (!this.store) return Promise.resolve();
    this.restored ??= this.read().catch((error: unknown) => {
      this.restored = undefined; // the next batch tries again
      throw new DependencyUnavailableError(`reading back earlier drift events failed: ${(error as Error).message}`, { cause: error });
    });
    return this.restored;
  }

  private async read(): Promise<void> {
    const { kafka, codecs, deployment, log } = this.context;
    const codec = codecs.get(modelDriftTopic);
    const events: ModelDriftEvent[] = [];
    await readWholeTopic(kafka, codec.name, {
      purpose: 'model-drift-reports',
      groupPrefix: deployment.prefix,
      idleMs: 10_000,
      onRecord: async (_partition, message) => {
        if (message.value) events.push(await codec.decodeValue<ModelDriftEvent>(message.value));
      },
    });
    this.detector.restoreReported(events);
    log('info', 'earlier drift events read back', { events: events.length });
  }
}
