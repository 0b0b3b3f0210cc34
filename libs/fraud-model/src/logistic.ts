// Math's functions as module constants: hot loops here would otherwise look the global up on every call, which is
// slow where globals are sandboxed (Jest runs tests in vm contexts: ~100× slower per lookup).
const { abs, exp, max, sqrt } = Math;

/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) on standardised columns. Deterministic: a
 * fixed number of floating-point operations in a fixed order, no random initialisation, no shuffling.
 */

export interface Standardisation {
  mean: number[];
  /** Population standard deviation; 1 for a constant column (so it standardises to 0). */
  std: number[];
}

export interface LogisticFit {
  weights: number[];
  bias: number;
  iterations: number;
  /** Largest absolute Newton step of the last iteration. */
  lastStep: number;
}

export function fitStandardisation(rows: readonly (readonly number[])[]): Standardisation {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const x of rows) for (let j = 0; j < d; j += 1) mean[j]! += x[j]!;
  for (let j = 0; j < d; j += 1) mean[j]! /= rows.length;
  for (const x of rows) {
    for (let j = 0; j < d; j += 1) {
      const v = x[j]! - mean[j]!;
      std[j]! += v * v;
    }
  }
  for (let j = 0; j < d; j += 1) {
    const s = sqrt(std[j]! / rows.length);
    std[j] = s > 1e-12 ? s : 1;
  }
  return { mean, std };
}

export function standardise(x: readonly number[], s: Standardisation): number[] {
  return x.map((v, j) => (v - s.mean[j]!) / s.std[j]!);
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

/**
 * Minimises −Σ log-likelihood + (l2 / 2)·‖w‖² (the bias is not penalised) over standardised rows `z` and 0/1 labels.
 * Stops when no coefficient moves by more than `tolerance`, or after `maxIterations`.
 */
export function fitLogistic(
  z: readonly (readonly number[])[],
  y: readonly number[],
  options: { l2: number; maxIterations?: number; tolerance?: number },
): LogisticFit {
  const n = z.length;
  const d = z[0]?.length ?? 0;
  const k = d + 1; // coefficient k-1 is the bias
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-10;
  const beta = new Array<number>(k).fill(0);
  let iterations = 0;
  let lastStep = Infinity;

  while (iterations < maxIterations && lastStep > tolerance) {
    iterations += 1;
    const gradient = new Array<number>(k).fill(0);
    const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < n; i += 1) {
      const x = z[i]!;
      let eta = beta[d]!;
      for (let j = 0; j < d; j += 1) eta += beta[j]! * x[j]!;
      const p = sigmoid(eta);
      const r = y[i]! - p;
      const w = p * (1 - p);
      for (let a = 0; a < k; a += 1) {
        const xa = a === d ? 1 : x[a]!;
        gradient[a]! += r * xa;
        const row = hessian[a]!;
        const wxa = w * xa;
        for (let b = 0; b <= a; b += 1) row[b]! += wxa * (b === d ? 1 : x[b]!);
      }
    }
    for (let a = 0; a < k; a += 1) {
      for (let b = 0; b < a; b += 1) hessian[b]![a] = hessian[a]![b]!;
      if (a < d) {
        gradient[a]! -= options.l2 * beta[a]!;
        hessian[a]![a]! += options.l2;
      }
    }
    const step = solveSymmetricPositiveDefinite(hessian, gradient);
    lastStep = 0;
    for (let a = 0; a < k; a += 1) {
      beta[a]! += step[a]!;
      lastStep = max(lastStep, abs(step[a]!));
    }
  }
  return { weights: beta.slice(0, d), bias: beta[d]!, iterations, lastStep };
}

/** Solves A·x = b for a symmetric positive definite A (Cholesky). */
export function solveSymmetricPositiveDefinite(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = a[i]![j]!;
      for (let m = 0; m < j; m += 1) sum -= l[i]![m]! * l[j]![m]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error('matrix is not positive definite');
        l[i]![i] = sqrt(sum);
      } else {
        l[i]![j] = sum / l[j]![j]!;
      }
    }
  }
  const yv = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i += 1) {
    let sum = b[i]!;
    for (let m = 0; m < i; m += 1) sum -= l[i]![m]! * yv[m]!;
    yv[i] = sum / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i -= 1) {
    let sum = yv[i]!;
    for (let m = i + 1; m < n; m += 1) sum -= l[m]![i]! * x[m]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}
