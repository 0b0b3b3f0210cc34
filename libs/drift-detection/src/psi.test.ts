import { binIndex, psi, quantileEdges } from './psi.js';
import { referenceDistribution } from './reference-distribution.js';

/** A deterministic sample of a standard normal (Box-Muller over a fixed LCG), shifted and scaled. */
function normal(n: number, mean = 0, sd = 1, seed = 7): number[] {
  let state = seed;
  const uniform = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

describe('psi', () => {
  it('is 0 for identical distributions and matches a hand-computed value', () => {
    expect(psi([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])).toBe(0);
    // (0.4-0.5)ln(0.4/0.5) + (0.6-0.5)ln(0.6/0.5)
    expect(psi([0.5, 0.5], [0.4, 0.6])).toBeCloseTo(-0.1 * Math.log(0.8) + 0.1 * Math.log(1.2), 12);
  });

  it('replaces an empty bin by epsilon so the index stays finite, and a smaller epsilon weighs an unseen bin more', () => {
    const withDefault = psi([1, 0], [0.5, 0.5]);
    expect(Number.isFinite(withDefault)).toBe(true);
    expect(withDefault).toBeCloseTo((0.5 - 1) * Math.log(0.5 / 1) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 12);
    expect(psi([1, 0], [0.5, 0.5], 1e-6)).toBeGreaterThan(withDefault);
    expect(() => psi([1], [0.5, 0.5])).toThrow(/1 expected bins but 2 actual/);
    expect(() => psi([1], [1], 0)).toThrow(/epsilon must be positive/);
  });
});

describe('quantileEdges and binIndex', () => {
  it('cuts 1..100 at its deciles, upper-inclusive', () => {
    const edges = quantileEdges(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(edges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(binIndex(edges, 10)).toBe(0);
    expect(binIndex(edges, 10.5)).toBe(1);
    expect(binIndex(edges, 1000)).toBe(9);
    expect(binIndex(edges, -5)).toBe(0);
  });

  it('collapses tied edges: a constant field has one edge, a mostly-1 count field a few', () => {
    expect(quantileEdges(new Array(50).fill(3))).toEqual([3]);
    expect(quantileEdges([...new Array(85).fill(1), ...new Array(10).fill(2), ...new Array(5).fill(7)])).toEqual([1, 2]);
    expect(quantileEdges([])).toEqual([]);
  });
});

describe('referenceDistribution', () => {
  const reference = normal(1000, 0, 1, 11);

  it('scores a fresh sample of the same numeric distribution near 0 and a shifted one well above 0.2', () => {
    const numeric = referenceDistribution('numeric', reference);
    expect(numeric.psiOf(normal(1000, 0, 1, 12))).toBeLessThan(0.05);
    expect(numeric.psiOf(normal(1000, 1, 1, 13))).toBeGreaterThan(0.2);
    expect(numeric.psiOf(normal(1000, 0, 2.5, 14))).toBeGreaterThan(0.2);
    expect(numeric.psiOf(reference)).toBe(0);
  });

  it('treats missing values as a category of their own: a rising null rate drifts', () => {
    const numeric = referenceDistribution('numeric', reference);
    const halfNull = [...normal(500, 0, 1, 15), ...new Array<null>(500).fill(null)];
    expect(numeric.psiOf(halfNull)).toBeGreaterThan(0.2);
  });

  it('gives a constant numeric field a stable score and flags values above it', () => {
    const constant = referenceDistribution('numeric', new Array<number>(100).fill(1));
    expect(constant.psiOf(new Array<number>(100).fill(1))).toBe(0);
    expect(constant.psiOf([...new Array<number>(50).fill(1), ...new Array<number>(50).fill(2)])).toBeGreaterThan(0.2);
  });

  it('bins categories seen in either window; an unseen category gets epsilon in the reference', () => {
    const categories = referenceDistribution('categorical', [...new Array(700).fill('CARD_PRESENT'), ...new Array(300).fill('ONLINE')]);
    expect(categories.psiOf([...new Array(70).fill('CARD_PRESENT'), ...new Array(30).fill('ONLINE')])).toBe(0);
    expect(categories.psiOf(new Array(100).fill('ONLINE'))).toBeGreaterThan(0.2);
    const unseen = categories.psiOf([...new Array(69).fill('CARD_PRESENT'), ...new Array(30).fill('ONLINE'), 'MOTO']);
    expect(unseen).toBeGreaterThan(0);
    expect(unseen).toBeLessThan(0.1); // one record in a hundred is no drift
    expect(categories.psiOf([...new Array(40).fill('CARD_PRESENT'), ...new Array(30).fill('ONLINE'), ...new Array(30).fill(null)])).toBeGreaterThan(0.2);
  });
});
