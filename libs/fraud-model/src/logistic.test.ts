import { fitLogistic, fitStandardisation, sigmoid, solveSymmetricPositiveDefinite, standardise } from './logistic.js';
import { Random } from './random.js';

describe('solveSymmetricPositiveDefinite', () => {
  it('solves a small system', () => {
    const x = solveSymmetricPositiveDefinite(
      [
        [4, 2, 0],
        [2, 5, 1],
        [0, 1, 3],
      ],
      [2, 3, 4],
    );
    const back = [4 * x[0]! + 2 * x[1]!, 2 * x[0]! + 5 * x[1]! + x[2]!, x[1]! + 3 * x[2]!];
    back.forEach((v, i) => expect(v).toBeCloseTo([2, 3, 4][i]!, 12));
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => solveSymmetricPositiveDefinite([[1, 2], [2, 1]], [1, 1])).toThrow(/positive definite/);
  });
});

describe('fitLogistic', () => {
  // Labels drawn from a known logistic model: logit = -1 + 2·x0 - 1·x1 (+ 0·x2).
  const random = new Random(7);
  const raw = Array.from({ length: 4000 }, () => [random.normal(), random.normal(), random.normal()]);
  const y = raw.map((x) => (random.next() < sigmoid(-1 + 2 * x[0]! - x[1]!) ? 1 : 0));
  const s = fitStandardisation(raw);
  const z = raw.map((x) => standardise(x, s));
  const l2 = 5;
  const fit = fitLogistic(z, y, { l2 });

  it('converges to the penalised optimum: the gradient vanishes', () => {
    expect(fit.lastStep).toBeLessThan(1e-8);
    const gradient = [0, 0, 0, 0];
    z.forEach((x, i) => {
      const p = sigmoid(fit.bias + x.reduce((sum, v, j) => sum + v * fit.weights[j]!, 0));
      x.forEach((v, j) => (gradient[j]! += (y[i]! - p) * v));
      gradient[3]! += y[i]! - p;
    });
    fit.weights.forEach((w, j) => (gradient[j]! -= l2 * w));
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-6);
  });

  it('recovers the generating coefficients (on the raw scale)', () => {
    const raw0 = fit.weights[0]! / s.std[0]!;
    const raw1 = fit.weights[1]! / s.std[1]!;
    const raw2 = fit.weights[2]! / s.std[2]!;
    expect(raw0).toBeGreaterThan(1.7);
    expect(raw0).toBeLessThan(2.3);
    expect(raw1).toBeGreaterThan(-1.3);
    expect(raw1).toBeLessThan(-0.7);
    expect(Math.abs(raw2)).toBeLessThan(0.2);
  });

  it('is deterministic', () => {
    expect(fitLogistic(z, y, { l2 })).toEqual(fit);
  });
});
