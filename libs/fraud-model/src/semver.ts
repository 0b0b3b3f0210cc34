// Artifact versions are plain MAJOR.MINOR.PATCH: enough to order models and pick the newest.
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function isVersion(value: string): boolean {
  return VERSION.test(value);
}

/** Negative if a < b, positive if a > b, 0 if equal; numeric per part (1.10.0 > 1.9.0). */
export function compareVersions(a: string, b: string): number {
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < 3; i += 1) {
    const diff = pa[i]! - pb[i]!;
    if (diff !== 0) return diff;
  }
  return 0;
}

function split(version: string): number[] {
  const match = VERSION.exec(version);
  if (!match) throw new Error(`not a MAJOR.MINOR.PATCH version: ${JSON.stringify(version)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}
