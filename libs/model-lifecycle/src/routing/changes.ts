import type { ModelGuard, ModelSplit, StageRouting } from '@spine/schemas';
import { ModelControlError } from '../errors.js';
import { candidatesIn } from './defaults.js';

/** A routing change as an operator (or the guard) asks for it. */
export type RoutingChange =
  | { action: 'PROMOTE'; version: string }
  | { action: 'SPLIT'; splits: readonly ModelSplit[] }
  | { action: 'RAMP'; version: string; steps: readonly number[]; stepIntervalMs: number }
  | { action: 'ADVANCE' }
  | { action: 'ROLLBACK'; version?: string }
  | { action: 'SHADOW'; versions: readonly string[] }
  | { action: 'CASCADE'; cascade: { version: string; belowConfidence: number } | null }
  | { action: 'GUARD'; guard: Partial<ModelGuard> };

/** The version a change acts on, for the change record. */
export function versionOf(change: RoutingChange, before: StageRouting): string | null {
  switch (change.action) {
    case 'PROMOTE':
    case 'RAMP':
      return change.version;
    case 'ROLLBACK':
      return change.version ?? before.canary?.version ?? (before.splits.length ? before.splits.map((s) => s.version).join(',') : before.champion);
    case 'ADVANCE':
      return before.canary?.version ?? null;
    case 'CASCADE':
      return change.cascade?.version ?? null;
    default:
      return null;
  }
}

/**
 * The stage's routing after a change, or a ModelControlError saying why the change makes no sense. `known` are the
 * versions that exist for the stage's model (registered on the control topic, plus the registry's default).
 */
export function applyChange(before: StageRouting, change: RoutingChange, known: ReadonlySet<string>, now: Date): StageRouting {
  const need = (version: string) => {
    if (!known.has(version)) throw new ModelControlError(`version "${version}" is not registered for this model; registered: ${[...known].join(', ')} (register it first: models register)`, 'not_found');
  };
  const next: StageRouting = { ...before, revision: before.revision + 1 };
  const without = (version: string) => {
    next.splits = next.splits.filter((s) => s.version !== version);
    if (next.canary?.version === version) next.canary = null;
    next.shadows = next.shadows.filter((v) => v !== version);
  };
  switch (change.action) {
    case 'PROMOTE': {
      need(change.version);
      if (change.version === before.champion) throw new ModelControlError(`version "${change.version}" is already the champion`);
      without(change.version);
      next.previousChampion = before.champion;
      next.champion = change.version;
      return next;
    }
    case 'SPLIT': {
      const seen = new Set<string>();
      for (const s of change.splits) {
        need(s.version);
        if (s.version === before.champion) throw new ModelControlError(`version "${s.version}" is the champion: it gets the keys no arm takes`);
        if (seen.has(s.version)) throw new ModelControlError(`version "${s.version}" is listed twice`);
        if (!(s.percent > 0 && s.percent <= 100)) throw new ModelControlError(`percent of "${s.version}" must be in (0, 100], got ${s.percent}`);
        seen.add(s.version);
      }
      const total = change.splits.reduce((sum, s) => sum + s.percent, 0) + (before.canary?.percent ?? 0);
      if (total > 100) throw new ModelControlError(`the arms${before.canary ? ' and the canary' : ''} take ${total} % of keys; at most 100`);
      next.splits = change.splits.map((s) => ({ version: s.version, percent: s.percent }));
      return next;
    }
    case 'RAMP': {
      need(change.version);
      if (change.version === before.champion) throw new ModelControlError(`version "${change.version}" is already the champion`);
      const steps = [...change.steps];
      const last = steps[steps.length - 1];
      if (last === undefined || steps.some((p, i) => !(p > 0 && p <= 100) || (i > 0 && p <= steps[i - 1]!))) {
        throw new ModelControlError(`steps must rise within (0, 100], e.g. 5,25,50,100; got ${steps.join(',') || 'none'}`);
      }
      if (!(change.stepIntervalMs >= 1_000)) throw new ModelControlError(`a step must last at least 1000 ms, got ${change.stepIntervalMs}`);
      const arms = before.splits.filter((s) => s.version !== change.version).reduce((sum, s) => sum + s.percent, 0);
      if (arms + last > 100 && last !== 100) throw new ModelControlError(`the A/B arms take ${arms} %: the ramp cannot reach ${last} %`);
      without(change.version);
      next.canary = { version: change.version, percent: steps[0]!, steps, stepIntervalMs: change.stepIntervalMs, stepStartedAt: now };
      return next;
    }
    case 'ADVANCE': {
      const canary = before.canary;
      if (!canary) throw new ModelControlError('no canary to advance');
      const step = canary.steps.findIndex((p) => p > canary.percent);
      if (step === -1) {
        // Past the last step: the canary becomes the champion.
        next.previousChampion = before.champion;
        next.champion = canary.version;
        next.canary = null;
        return next;
      }
      next.canary = { ...canary, percent: canary.steps[step]!, stepStartedAt: now };
      return next;
    }
    case 'ROLLBACK': {
      if (change.version !== undefined) {
        if (change.version === before.champion) {
          if (!before.previousChampion) throw new ModelControlError(`version "${change.version}" is the champion and there is no earlier champion to return to`);
          next.champion = before.previousChampion;
          next.previousChampion = null;
          without(next.champion);
          return next;
        }
        if (!candidatesIn(before).includes(change.version) && before.cascade?.version !== change.version) throw new ModelControlError(`version "${change.version}" is not serving this stage (nothing to roll back)`, 'not_found');
        without(change.version);
        if (next.cascade?.version === change.version) next.cascade = null;
        return next;
      }
      if (before.canary) {
        next.canary = null;
        return next;
      }
      if (before.splits.length) {
        next.splits = [];
        return next;
      }
      if (before.previousChampion) {
        next.champion = before.previousChampion;
        next.previousChampion = null;
        return next;
      }
      throw new ModelControlError('nothing to roll back: no canary, no A/B arm, no earlier champion');
    }
    case 'SHADOW': {
      for (const v of change.versions) {
        need(v);
        if (v === before.champion) throw new ModelControlError(`version "${v}" is the champion; a shadow is a version that does not serve`);
      }
      next.shadows = [...new Set(change.versions)];
      return next;
    }
    case 'CASCADE': {
      if (change.cascade) {
        need(change.cascade.version);
        if (change.cascade.version === before.champion) throw new ModelControlError(`version "${change.cascade.version}" is the champion; a cascade escalates to another version`);
        if (!(change.cascade.belowConfidence > 0 && change.cascade.belowConfidence <= 1)) throw new ModelControlError(`belowConfidence must be in (0, 1], got ${change.cascade.belowConfidence}`);
      }
      next.cascade = change.cascade ? { ...change.cascade } : null;
      return next;
    }
    case 'GUARD': {
      const guard = { ...before.guard, ...change.guard };
      for (const [name, value] of Object.entries(guard)) {
        if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) throw new ModelControlError(`guard.${name} must be a non-negative number, got ${String(value)}`);
      }
      for (const name of ['maxErrorRate', 'maxTimeoutRate', 'minAgreement'] as const) {
        if (guard[name] > 1) throw new ModelControlError(`guard.${name} is a share, 0..1; got ${guard[name]}`);
      }
      next.guard = guard;
      return next;
    }
  }
}
