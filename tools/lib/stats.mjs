// Number helpers and the machine description shared by the benchmark summaries.
import os from 'node:os';

/** Nearest-rank percentile p (0..100) of an ascending array; null when it is empty. */
export function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A missing or NaN measurement stays null rather than becoming a number. */
export const round = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** A number for a Markdown summary (1,234.5); a missing value reads n/a. */
export const fmt = (n, digits = 0) =>
  n === null || n === undefined ? 'n/a' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** What the numbers were measured on; extra fields (a tool's own) come last. */
export function machine(extra = {}) {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: (cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
    memoryGB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    ...extra,
  };
}
