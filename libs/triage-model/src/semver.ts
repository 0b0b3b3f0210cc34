// Model versions are plain MAJOR.MINOR.PATCH: enough to order artifacts, and no pre-release rules to get wrong.
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function isVersion(value: string): boolean {
  return VERSION.test(value);
}

/** Negative if a < b, positive if a > b, 0 if equal; numeric per part, so 1.10.0 > 1.2.0. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function parts(version: string): number[] {
  const match = VERSION.exec(version);
  if (!match) throw new Error(`not a MAJOR.MINOR.PATCH version: ${JSON.stringify(version)}`);
  return match.slice(1, 4).map(Number);
}
