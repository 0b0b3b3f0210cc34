import type { DriftSettings } from './drift-settings.js';
import type { FieldKind, Observation } from './observation.js';
import { referenceDistribution, type ReferenceDistribution, type ReferenceOptions } from './reference-distribution.js';
import { SlidingWindow } from './sliding-window.js';

/** One evaluation of a field's current window against its reference. */
export interface SeriesEvaluation {
  readonly psi: number;
  readonly referenceCount: number;
  readonly windowCount: number;
  /** PSI crossed the bound while armed: emit one drift event (then disarmed until PSI < bound / 2). */
  readonly drifted: boolean;
  /** PSI fell below bound / 2 after a reported drift: armed again (to persist, so a restart knows). */
  readonly rearmed: boolean;
}

/**
 * The values of one watched field (of one model version): the first `referenceSize` values form the reference, the
 * later ones fill a sliding window, which is evaluated every `evaluateEvery` values once full. Hysteresis: a drift
 * is reported once when PSI exceeds the bound and re-armed only after PSI fell below half the bound.
 */
export class FieldSeries {
  private readonly referenceValues: Observation[] = [];
  private reference: ReferenceDistribution | undefined;
  private readonly window: SlidingWindow<Observation>;
  private sinceEvaluation = 0;
  private evaluated = false;
  private armed = true;
  /** PSI of the last evaluation, undefined before the first. */
  lastPsi: number | undefined;

  constructor(
    readonly kind: FieldKind,
    private readonly settings: DriftSettings,
    private readonly options: ReferenceOptions = {},
  ) {
    this.window = new SlidingWindow(settings.windowSize);
  }

  /** Values in the reference window so far (referenceSize once complete). */
  get referenceCount(): number {
    return this.referenceValues.length;
  }

  get windowCount(): number {
    return this.window.size;
  }

  /** Whether a new drift would be reported (false while a reported drift persists). */
  get isArmed(): boolean {
    return this.armed;
  }

  /** The complete reference window, or undefined while it fills. */
  get referenceWindow(): readonly Observation[] | undefined {
    return this.reference ? this.referenceValues : undefined;
  }

  /** Starts from a stored reference window (exactly referenceSize values) instead of learning one. */
  restoreReference(values: readonly Observation[]): void {
    if (this.referenceValues.length > 0) throw new Error('FieldSeries: a reference can only be restored before the first value');
    if (values.length !== this.settings.referenceSize) throw new Error(`FieldSeries: a restored reference needs ${this.settings.referenceSize} values, got ${values.length}`);
    this.referenceValues.push(...values);
    this.reference = referenceDistribution(this.kind, this.referenceValues, this.options);
  }

  /**
   * A drift of this series was reported before a restart and not seen to end: disarmed, as if this process had
   * reported it (so it is not reported twice), until PSI falls below bound / 2. Only after restoreReference.
   */
  restoreReported(): void {
    if (!this.reference) throw new Error('FieldSeries: a reported drift can only be restored on a restored reference');
    this.armed = false;
  }

  /** Adds a value; returns an evaluation when one was due. */
  observe(value: Observation): SeriesEvaluation | undefined {
    if (!this.reference) {
      this.referenceValues.push(value);
      if (this.referenceValues.length === this.settings.referenceSize) this.reference = referenceDistribution(this.kind, this.referenceValues, this.options);
      return undefined;
    }
    this.window.push(value);
    this.sinceEvaluation += 1;
    if (!this.window.full || (this.evaluated && this.sinceEvaluation < this.settings.evaluateEvery)) return undefined;
    this.evaluated = true;
    this.sinceEvaluation = 0;
    const psi = this.reference.psiOf(this.window.values());
    this.lastPsi = psi;
    const drifted = this.armed && psi > this.settings.bound;
    const rearmed = !this.armed && psi < this.settings.bound / 2;
    if (drifted) this.armed = false;
    else if (rearmed) this.armed = true;
    return { psi, referenceCount: this.referenceValues.length, windowCount: this.window.size, drifted, rearmed };
  }
}
