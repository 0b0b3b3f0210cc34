import type { ModelGuard, StageRouting } from '@spine/schemas';

/** The guard a routing starts with: a candidate is judged after 20 calls in a minute. */
export function defaultGuard(): ModelGuard {
  return { windowMs: 60_000, minCalls: 20, maxErrorRate: 0.1, maxTimeoutRate: 0.1, maxLatencyP95Ms: 2_000, minAgreement: 0, maxOutputShift: 0 };
}

/** Routing of a stage nobody changed yet: everything to the registry's default version. */
export function defaultRouting(champion: string): StageRouting {
  return { revision: 0, champion, previousChampion: null, splits: [], canary: null, shadows: [], cascade: null, guard: defaultGuard() };
}

/** Versions on trial (A/B arms, the canary, shadows): the guard judges these, never the champion. */
export function candidatesIn(routing: StageRouting): string[] {
  return [...new Set([...routing.splits.map((s) => s.version), ...(routing.canary ? [routing.canary.version] : []), ...routing.shadows])].filter((v) => v !== routing.champion);
}
