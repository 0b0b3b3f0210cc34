/** Proportion used for a bin with no values, so ln(a/e) stays finite (an unseen category, an empty decile). */
export const DEFAULT_EPSILON = 1e-4;

/**
 * Population stability index of `actual` against `expected`, two distributions over the same bins (proportions):
 * Σ (a_i − e_i) · ln(a_i / e_i), with an empty bin's proportion replaced by `epsilon`. 0 for identical
 * distributions; the usual reading is < 0.1 stable, 0.1–0.2 moderate shift, > 0.2 significant shift.
 */
export function psi(expected: readonly number[], actual: readonly number[], epsilon: number = DEFAULT_EPSILON): number {
  if (expected.length !== actual.length) throw new Error(`psi: ${expected.length} expected bins but ${actual.length} actual bins`);
  if (!(epsilon > 0)) throw new Error(`psi: epsilon must be positive, got ${epsilon}`);
  let sum = 0;
  for (let i = 0; i < expected.length; i += 1) {
    const e = Math.max(expected[i]!, epsilon);
    const a = Math.max(actual[i]!, epsilon);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Counts as proportions of their total (all zeros when the total is 0). */
export function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

/**
 * Inner bin edges of `values` at its quantiles (deciles for `bins` = 10), nearest rank, duplicates collapsed: a
 * field with ties or a constant field gets fewer, wider bins instead of empty ones. Bins are upper-inclusive:
 * (-∞, e0], (e0, e1], ..., (e_last, ∞).
 */
export function quantileEdges(values: readonly number[], bins = 10): number[] {
  if (!Number.isInteger(bins) || bins < 2) throw new Error(`quantileEdges: bins must be an integer >= 2, got ${bins}`);
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let i = 1; i < bins; i += 1) {
    const rank = Math.max(0, Math.ceil((i / bins) * sorted.length) - 1);
    const edge = sorted[rank]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return edges;
}

/** Index of the upper-inclusive bin of `value` among `edges` (0 .. edges.length), by binary search. */
export function binIndex(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (value <= edges[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}
