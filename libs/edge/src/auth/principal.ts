import type { Scope } from '../scopes.js';

/** Who is calling, once authenticated. */
export interface Principal {
  /** Stable and unique per credential: rate limits and idempotency keys are scoped by it. Never a secret. */
  readonly id: string;
  readonly kind: 'api-key' | 'bootstrap' | 'jwt';
  /** For logs and the audit log: the key's name, `SPINE_API_KEYS #n`, or the token's subject. */
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** How the audit log names a principal, e.g. `api-key 3f9a1c0b7d2e (crm-prod)`. */
export function describePrincipal(principal: Principal): string {
  return `${principal.kind} ${principal.id.replace(/^[a-z-]+:/, '')} (${principal.name})`;
}
