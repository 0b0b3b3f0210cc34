/** One sample of the Prometheus text exposition format. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/g;

/**
 * Parses the Prometheus text format (version 0.0.4: what prom-client serves) into samples; comments, blank and
 * malformed lines are skipped. Label values are unescaped (\\ \" \n); values may be NaN (prom-client writes `Nan`), +Inf, -Inf.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = valueOf(match[3]!);
    if (value === undefined) continue;
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** A sample's value: a float, or NaN / +Inf / -Inf in any case (prom-client 15 writes `Nan`); undefined if it is none of those. */
function valueOf(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}
