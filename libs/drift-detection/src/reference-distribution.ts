import type { FieldKind, Observation } from './observation.js';
import { binIndex, DEFAULT_EPSILON, proportions, psi, quantileEdges } from './psi.js';

/** A reference window, binned once, that scores later windows by their population stability index against it. */
export interface ReferenceDistribution {
  readonly kind: FieldKind;
  /** Values in the reference window. */
  readonly count: number;
  /** PSI of `window` against the reference. */
  psiOf(window: readonly Observation[]): number;
}

export interface ReferenceOptions {
  /** Quantile bins of numeric fields (10: deciles). */
  readonly bins?: number;
  readonly epsilon?: number;
}

/** Bins a reference window: numeric fields by its deciles (plus a null bin), categorical ones by category (null included). */
export function referenceDistribution(kind: FieldKind, reference: readonly Observation[], options: ReferenceOptions = {}): ReferenceDistribution {
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  return kind === 'numeric' ? numericReference(reference, options.bins ?? 10, epsilon) : categoricalReference(reference, epsilon);
}

function numericReference(reference: readonly Observation[], bins: number, epsilon: number): ReferenceDistribution {
  const edges = quantileEdges(reference.filter((v): v is number => typeof v === 'number'), bins);
  // Bins 0..edges.length by value, then one for null (missing values drift too).
  const countsOf = (values: readonly Observation[]): number[] => {
    const counts = new Array<number>(edges.length + 2).fill(0);
    for (const v of values) counts[typeof v === 'number' ? binIndex(edges, v) : edges.length + 1]! += 1;
    return counts;
  };
  const expected = proportions(countsOf(reference));
  return { kind: 'numeric', count: reference.length, psiOf: (window) => psi(expected, proportions(countsOf(window)), epsilon) };
}

function categoricalReference(reference: readonly Observation[], epsilon: number): ReferenceDistribution {
  const expected = categoryCounts(reference);
  return {
    kind: 'categorical',
    count: reference.length,
    psiOf: (window) => {
      const actual = categoryCounts(window);
      // One bin per category seen in either window; a category the reference never saw gets epsilon there.
      const categories = [...new Set([...expected.keys(), ...actual.keys()])];
      return psi(
        proportions(categories.map((c) => expected.get(c) ?? 0)),
        proportions(categories.map((c) => actual.get(c) ?? 0)),
        epsilon,
      );
    },
  };
}

function categoryCounts(values: readonly Observation[]): Map<string | number | null, number> {
  const counts = new Map<string | number | null, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
