// Math's functions as module constants: hot loops here would otherwise look the global up on every call, which is
// slow where globals are sandboxed (Jest runs tests in vm contexts: ~100× slower per lookup).
const { PI, cos, exp, floor, imul, log, pow, sqrt } = Math;

/**
 * Seeded pseudo-random numbers for the synthetic data: mulberry32 (32-bit state, period 2^32) and the few
 * distributions the generator needs. Same seed, same sequence, on every platform: only 32-bit integer arithmetic and
 * Math.log/sqrt/cos, which V8 computes the same everywhere.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller, one value per call). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(u) is finite
    const v = this.next();
    return sqrt(-2 * log(u)) * cos(2 * PI * v);
  }

  /** exp(N(ln median, sigma²)). */
  lognormal(median: number, sigma: number): number {
    return median * exp(sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * log(1 - this.next());
  }

  /** Poisson (Knuth; fine for the small means used here). */
  poisson(mean: number): number {
    const limit = exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k += 1;
      p *= this.next();
    }
    return k;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[floor(this.next() * items.length)] as T;
  }

  /** An item with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i += 1) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Gamma(shape, 1) (Marsaglia-Tsang; shape < 1 by boosting). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * pow(this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (log(u) < 0.5 * x * x + d * (1 - v + log(v))) return d * v;
    }
  }
}
