const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "250ms", "5s", "2m", "1h", "1d" (or a bare number of milliseconds) → milliseconds. */
export function parseDuration(raw: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new Error(`${what}: "${raw}" is not a duration (e.g. 500ms, 5s, 2m, 1h)`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}

/** A comma-separated list of durations, e.g. SPINE_WEBHOOKS_RETRY_SCHEDULE="5s,30s,2m". */
export function parseSchedule(raw: string, what: string): number[] {
  const steps = raw.split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseDuration(s, what));
  if (!steps.length) throw new Error(`${what}: at least one retry delay is needed (e.g. 5s,30s,2m)`);
  return steps;
}

export function formatDuration(ms: number): string {
  if (ms >= 3_600_000) return `${+(ms / 3_600_000).toFixed(1)}h`;
  if (ms >= 60_000) return `${+(ms / 60_000).toFixed(1)}m`;
  if (ms >= 1_000) return `${+(ms / 1_000).toFixed(1)}s`;
  return `${ms}ms`;
}
