import type { DriftSettings } from './drift-settings.js';
import { FieldSeries, type SeriesEvaluation } from './field-series.js';
import type { FieldKind, Observation } from './observation.js';
import type { ReferenceOptions } from './reference-distribution.js';
import type { StoredReference } from './reference-store.js';

/** Which values a series holds: one watched field of one topic, of one model version (null: not split by version). */
export interface SeriesId {
  readonly topic: string;
  readonly field: string;
  readonly version: string | null;
}

/** Keeps a FieldSeries (reference + sliding window + hysteresis) per topic, field and model version. */
export class DriftTracker {
  private readonly series = new Map<string, { id: SeriesId; series: FieldSeries }>();
  private readonly stored = new Map<string, StoredReference>();
  private readonly restoredKeys = new Set<string>();
  /** When each series' drift was last reported (ms), from the drift topic: see restoreReported. */
  private readonly reported = new Map<string, number>();
  /** Series whose reference window completed since the last takeCompletedReferences(). */
  private completed: Array<{ id: SeriesId; series: FieldSeries }> = [];

  constructor(
    readonly settings: DriftSettings,
    private readonly options: ReferenceOptions = {},
    stored: readonly StoredReference[] = [],
  ) {
    for (const reference of stored) this.stored.set(keyOf(reference.id), reference);
  }

  /** Adds a value to its series (created on first sight: a new model version gets its own reference). */
  observe(id: SeriesId, kind: FieldKind, value: Observation): SeriesEvaluation | undefined {
    const series = this.seriesOf(id, kind);
    const filling = series.referenceWindow === undefined;
    const evaluation = series.observe(value);
    if (filling && series.referenceWindow !== undefined) this.completed.push(this.series.get(keyOf(id))!);
    return evaluation;
  }

  /**
   * Drifts reported before this process started (the drift topic's events). A series that starts from a stored
   * reference stays disarmed when its last report is later than its last re-arm (`StoredReference.rearmedAt`):
   * the drift was not seen to end, so it is not reported again. Call before the first observe.
   */
  restoreReported(reports: Iterable<{ readonly id: SeriesId; readonly at: number }>): void {
    for (const { id, at } of reports) {
      const key = keyOf(id);
      this.reported.set(key, Math.max(at, this.reported.get(key) ?? -Infinity));
    }
  }

  /** References completed since the last call (to persist them), oldest first. */
  takeCompletedReferences(): StoredReference[] {
    const taken = this.completed.map(({ id, series }) => ({ id, kind: series.kind, values: [...series.referenceWindow!] }));
    this.completed = [];
    return taken;
  }

  /** Whether the series of `id` started from a stored reference. */
  restored(id: SeriesId): boolean {
    return this.restoredKeys.has(keyOf(id));
  }

  /** The series of `id`, or undefined before its first value. */
  get(id: SeriesId): FieldSeries | undefined {
    return this.series.get(keyOf(id))?.series;
  }

  /** Every series seen, with its id. */
  all(): Array<{ id: SeriesId; series: FieldSeries }> {
    return [...this.series.values()];
  }

  private seriesOf(id: SeriesId, kind: FieldKind): FieldSeries {
    const key = keyOf(id);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { id: { topic: id.topic, field: id.field, version: id.version }, series: new FieldSeries(kind, this.settings, this.options) };
      // A stored reference of the same kind and size is reused; another (schema or settings changed) is re-learnt.
      const stored = this.stored.get(key);
      if (stored && stored.kind === kind && stored.values.length === this.settings.referenceSize) {
        entry.series.restoreReference(stored.values);
        this.restoredKeys.add(key);
        const reportedAt = this.reported.get(key);
        if (reportedAt !== undefined && reportedAt > (stored.rearmedAt?.getTime() ?? -Infinity)) entry.series.restoreReported();
      }
      this.series.set(key, entry);
    }
    return entry.series;
  }
}

function keyOf(id: SeriesId): string {
  return JSON.stringify([id.topic, id.field, id.version]);
}
