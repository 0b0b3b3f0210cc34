/** Population stability index of two samples of scores in 0..1, over ten equal bins (empty bins smoothed). */
export function scorePsi(expected: readonly number[], actual: readonly number[], bins = 10): number | null {
  if (expected.length < bins || actual.length < bins) return null;
  const hist = (xs: readonly number[]) => {
    const h = new Array<number>(bins).fill(0);
    for (const x of xs) h[Math.min(bins - 1, Math.max(0, Math.floor(x * bins)))]! += 1;
    return h.map((c) => Math.max(c / xs.length, 1e-4));
  };
  const e = hist(expected);
  const a = hist(actual);
  return e.reduce((sum, ei, i) => sum + (a[i]! - ei) * Math.log(a[i]! / ei), 0);
}
