import { Inject, Injectable } from '@nestjs/common';
import { DriftDetector, type DriftReferenceStore, type Rearmed, type SeriesId, type StoredReference } from '@spine/drift-detection';
import { SpineContext } from '@spine/runtime';
import { REFERENCE_STORE } from './reference-store.provider.js';

/**
 * Persists reference windows as they complete. A failed save is logged and retried with the next batch: drift
 * detection itself never waits for, or fails on, the database.
 */
@Injectable()
export class ReferenceSaver {
  private pending: StoredReference[] = [];
  private pendingRearmed: Rearmed[] = [];

  constructor(
    private readonly detector: DriftDetector,
    private readonly context: SpineContext,
    @Inject(REFERENCE_STORE) private readonly store: DriftReferenceStore | null,
  ) {}

  /** Saves the references completed and the series re-armed since the last call (and any a failed save left). */
  async save(): Promise<void> {
    if (!this.store) return;
    this.pending.push(...this.detector.takeCompletedReferences());
    this.pendingRearmed.push(...this.detector.takeRearmed());
    if (this.pending.length === 0 && this.pendingRearmed.length === 0) return;
    const batch = this.pending;
    const rearmed = this.pendingRearmed;
    this.pending = [];
    this.pendingRearmed = [];
    try {
      // References first: a series re-armed in the same batch needs its row.
      await this.store.saveAll(this.context.deployment.prefix, batch);
      await this.store.saveRearmed(this.context.deployment.prefix, rearmed);
      if (batch.length) this.context.log('info', 'drift references stored', { series: batch.map((r) => seriesName(r.id)) });
      if (rearmed.length) this.context.log('info', 'drift ended: re-armed', { series: rearmed.map((r) => seriesName(r.id)) });
    } catch (error) {
      this.pending.unshift(...batch);
      this.pendingRearmed.unshift(...rearmed);
      this.context.log('error', 'storing drift references failed; retrying with the next batch', { error: (error as Error).message, series: batch.length + rearmed.length });
    }
  }
}

function seriesName(id: SeriesId): string {
  return `${id.topic}/${id.field}${id.version ? `@${id.version}` : ''}`;
}
