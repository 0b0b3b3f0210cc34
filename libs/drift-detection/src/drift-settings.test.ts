import { DEFAULT_DRIFT_SETTINGS, driftSettingsFromEnv } from './drift-settings.js';

describe('driftSettingsFromEnv', () => {
  it('defaults to 1000 / 1000 / 100 / 0.2 and reads each variable', () => {
    expect(driftSettingsFromEnv({})).toEqual(DEFAULT_DRIFT_SETTINGS);
    expect(DEFAULT_DRIFT_SETTINGS).toEqual({ referenceSize: 1000, windowSize: 1000, evaluateEvery: 100, bound: 0.2 });
    expect(driftSettingsFromEnv({ SPINE_DRIFT_REFERENCE_SIZE: '300', SPINE_DRIFT_WINDOW_SIZE: ' 200 ', SPINE_DRIFT_EVALUATE_EVERY: '50', SPINE_DRIFT_PSI_BOUND: '0.25' })).toEqual({ referenceSize: 300, windowSize: 200, evaluateEvery: 50, bound: 0.25 });
  });

  it('refuses bad values naming the variable', () => {
    expect(() => driftSettingsFromEnv({ SPINE_DRIFT_REFERENCE_SIZE: 'lots' })).toThrow('SPINE_DRIFT_REFERENCE_SIZE must be an integer >= 10, got "lots"');
    expect(() => driftSettingsFromEnv({ SPINE_DRIFT_WINDOW_SIZE: '5' })).toThrow(/SPINE_DRIFT_WINDOW_SIZE must be an integer >= 10/);
    expect(() => driftSettingsFromEnv({ SPINE_DRIFT_EVALUATE_EVERY: '0' })).toThrow(/SPINE_DRIFT_EVALUATE_EVERY must be an integer >= 1/);
    expect(() => driftSettingsFromEnv({ SPINE_DRIFT_PSI_BOUND: '-1' })).toThrow(/SPINE_DRIFT_PSI_BOUND must be a positive number/);
    expect(() => driftSettingsFromEnv({ SPINE_DRIFT_PSI_BOUND: 'high' })).toThrow(/SPINE_DRIFT_PSI_BOUND/);
  });
});
