/** How the drift tracker windows and judges each watched field. */
export interface DriftSettings {
  /** Values that form a field's reference window: the first ones seen (per model version). */
  readonly referenceSize: number;
  /** Values in the sliding current window compared with the reference. */
  readonly windowSize: number;
  /** A field is evaluated every this many new values, once both windows are full. */
  readonly evaluateEvery: number;
  /** PSI above which a drift event is emitted; it re-arms once PSI falls below bound / 2. */
  readonly bound: number;
}

export const DEFAULT_DRIFT_SETTINGS: DriftSettings = { referenceSize: 1000, windowSize: 1000, evaluateEvery: 100, bound: 0.2 };

/** Deciles need at least this many values to mean anything. */
export const MIN_WINDOW = 10;

/** Reads SPINE_DRIFT_REFERENCE_SIZE, SPINE_DRIFT_WINDOW_SIZE, SPINE_DRIFT_EVALUATE_EVERY and SPINE_DRIFT_PSI_BOUND; throws naming the variable. */
export function driftSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DriftSettings {
  const integer = (name: string, fallback: number, min: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}" (unset it for the default ${fallback})`);
    return value;
  };
  const referenceSize = integer('SPINE_DRIFT_REFERENCE_SIZE', DEFAULT_DRIFT_SETTINGS.referenceSize, MIN_WINDOW);
  const windowSize = integer('SPINE_DRIFT_WINDOW_SIZE', DEFAULT_DRIFT_SETTINGS.windowSize, MIN_WINDOW);
  const evaluateEvery = integer('SPINE_DRIFT_EVALUATE_EVERY', DEFAULT_DRIFT_SETTINGS.evaluateEvery, 1);
  const rawBound = env.SPINE_DRIFT_PSI_BOUND?.trim();
  const bound = rawBound ? Number(rawBound) : DEFAULT_DRIFT_SETTINGS.bound;
  if (!Number.isFinite(bound) || bound <= 0) throw new Error(`SPINE_DRIFT_PSI_BOUND must be a positive number (e.g. 0.2), got "${rawBound}"`);
  return checkDriftSettings({ referenceSize, windowSize, evaluateEvery, bound });
}

/** Checks settings given in code as strictly as the environment's. */
export function checkDriftSettings(settings: DriftSettings): DriftSettings {
  const { referenceSize, windowSize, evaluateEvery, bound } = settings;
  if (!Number.isInteger(referenceSize) || referenceSize < MIN_WINDOW) throw new Error(`drift referenceSize must be an integer >= ${MIN_WINDOW}, got ${referenceSize}`);
  if (!Number.isInteger(windowSize) || windowSize < MIN_WINDOW) throw new Error(`drift windowSize must be an integer >= ${MIN_WINDOW}, got ${windowSize}`);
  if (!Number.isInteger(evaluateEvery) || evaluateEvery < 1) throw new Error(`drift evaluateEvery must be a positive integer, got ${evaluateEvery}`);
  if (!Number.isFinite(bound) || bound <= 0) throw new Error(`drift bound must be a positive number, got ${bound}`);
  return settings;
}
