/** What a credential may do. Scopes are independent: `admin` does not imply the others (least privilege). */
export const SCOPES = ['events:write', 'results:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** `events:write,results:read` → scopes; refuses an unknown or empty list, naming the known scopes. */
export function parseScopes(text: string): Scope[] {
  const names = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isScope(n));
  if (unknown.length) throw new RangeError(`unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known scopes: ${SCOPES.join(', ')}`);
  if (!names.length) throw new RangeError(`no scopes given; known scopes: ${SCOPES.join(', ')}`);
  return [...new Set(names as Scope[])];
}
