import { randomBytes } from 'node:crypto';

/** A prefix no earlier run used: topics, subjects, groups and DB schemas of a test never collide. */
export function uniquePrefix(label: string): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}-${label}.`;
}

export function uniqueSqlName(label: string): string {
  return `t_${label}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
