/** The inference cache's settings, or null when it is off (no DATABASE_URL, or SPINE_INFERENCE_CACHE=off). */
export function cacheSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): { url: string; maxEntries: number; retentionMs: number } | null {
  const url = env.DATABASE_URL?.trim();
  const switchedOff = env.SPINE_INFERENCE_CACHE?.trim().toLowerCase() === 'off';
  if (!url || switchedOff) return null;
  return {
    url,
    maxEntries: positive(env, 'SPINE_INFERENCE_CACHE_MAX_ENTRIES', 100_000),
    // The longest any version keeps answers; a version's own cacheTtlMs (on the control topic) decides its hits.
    retentionMs: positive(env, 'SPINE_INFERENCE_CACHE_RETENTION_MS', 7 * 24 * 3600 * 1000),
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}
