import { parsePrometheusText, type PromSample } from '@spine/operations';
import { spinePlatform } from '@spine/platform';

/** Where a service answers: SPINE_<SERVICE>_URL (e.g. SPINE_FRAUD_SCORING_URL), else http://127.0.0.1:<its registry port, or SPINE_<SERVICE>_PORT>. */
export function serviceUrl(service: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = service.toUpperCase().replace(/-/g, '_');
  const explicit = env[`SPINE_${key}_URL`]?.trim();
  if (explicit) return explicit.replace(/\/$/, '');
  return `http://127.0.0.1:${env[`SPINE_${key}_PORT`]?.trim() || spinePlatform.service(service).port}`;
}

/** A service's Prometheus samples, or why they could not be read (the service is down, or answered an error). */
export async function scrape(service: string, timeoutMs = 1_500): Promise<{ ok: true; samples: PromSample[] } | { ok: false; error: string }> {
  const url = `${serviceUrl(service)}/metrics`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { ok: false, error: `${url} answered ${response.status}` };
    return { ok: true, samples: parsePrometheusText(await response.text()) };
  } catch (error) {
    return { ok: false, error: `${url} does not answer (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message})` };
  }
}

/** Sum of the samples named `name` whose labels include `match`. */
export function sumOf(samples: readonly PromSample[], name: string, match: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const s of samples) if (s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  return sum;
}
