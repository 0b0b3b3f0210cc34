/**
 * What a credential may do. Scopes are independent (least privilege): `admin` does not imply the others. One
 * exception, for the operator's console: `operator:act` (re-drive dead letters, promote/ramp/roll back models)
 * implies `operator:read` (see the console and its admin API), because an operate role that cannot see what
 * it acts on is useless. `grants` applies that; a plain `scopes.has(...)` does not.
 */
export const SCOPES = ['events:write', 'results:read', 'admin', 'operator:read', 'operator:act'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes a scope brings with it. */
export const IMPLIED_SCOPES: Readonly<Partial<Record<Scope, readonly Scope[]>>> = { 'operator:act': ['operator:read'] };

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** Whether a credential holding `held` may do what `needed` allows (directly or through IMPLIED_SCOPES). */
export function grants(held: ReadonlySet<Scope>, needed: Scope): boolean {
  return held.has(needed) || [...held].some((scope) => IMPLIED_SCOPES[scope]?.includes(needed) ?? false);
}

/** `events:write,results:read` → scopes; refuses an unknown or empty list, naming the known scopes. */
export function parseScopes(text: string): Scope[] {
  const names = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isScope(n));
  if (unknown.length) throw new RangeError(`unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known scopes: ${SCOPES.join(', ')}`);
  if (!names.length) throw new RangeError(`no scopes given; known scopes: ${SCOPES.join(', ')}`);
  return [...new Set(names as Scope[])];
}
