import { compareVersions, isVersion } from './semver.js';

describe('model versions', () => {
  it('orders numerically per part, not as text', () => {
    expect(['1.10.0', '1.2.0', '0.9.12', '1.2.10', '2.0.0'].sort(compareVersions)).toEqual([
      '0.9.12',
      '1.2.0',
      '1.2.10',
      '1.10.0',
      '2.0.0',
    ]);
  });

  it('accepts only MAJOR.MINOR.PATCH', () => {
    for (const ok of ['0.0.0', '1.0.0', '12.34.56']) expect(isVersion(ok)).toBe(true);
    for (const bad of ['1.0', 'v1.0.0', '01.0.0', '1.0.0-rc.1', 'latest', '']) expect(isVersion(bad)).toBe(false);
    expect(() => compareVersions('1.0', '1.0.0')).toThrow(/MAJOR.MINOR.PATCH/);
  });
});
