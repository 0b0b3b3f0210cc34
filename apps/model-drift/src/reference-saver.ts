import { Inject, Injectable } from '@nestjs/common';
import { DriftDetector, type DriftReferenceStore, type StoredReference } from '@spine/drift-detection';
import { SpineContext } from '@spine/runtime';
import { REFERENCE_STORE } from './reference-store.provider.js';

/**
 * Persists reference windows as they complete. A failed save is logged and retried with the next batch: drift
 * detection itself never waits for, or fails on, the database.
 */
@Injectable()
export class ReferenceSaver {
  private pending: StoredReference[] = [];

  constructor(
    private readonly detector: DriftDetector,
    private readonly context: SpineContext,
    @Inject(REFERENCE_STORE) private readonly store: DriftReferenceStore | null,
  ) {}

  /** Saves the references completed since the last call (and any a failed save left). */
  async save(): Promise<void> {
    if (!this.store) return;
    this.pending.push(...this.detector.takeCompletedReferences());
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.store.saveAll(this.context.deployment.prefix, batch);
      this.context.log('info', 'drift references stored', { series: batch.map((r) => `${r.id.topic}/${r.id.field}${r.id.version ? `@${r.id.version}` : ''}`) });
    } catch (error) {
      this.pending.unshift(...batch);
      this.context.log('error', 'storing drift references failed; retrying with the next batch', { error: (error as Error).message, series: batch.length });
    }
  }
}
