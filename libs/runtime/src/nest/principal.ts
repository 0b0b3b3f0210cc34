import type { Principal } from '@spine/edge';

const PRINCIPAL = Symbol('spine.principal');

/** Attaches the authenticated principal to the request (ApiKeyGuard does). */
export function setPrincipal(request: object, principal: Principal): void {
  (request as Record<symbol, unknown>)[PRINCIPAL] = principal;
}

/** The principal ApiKeyGuard authenticated for this request; throws on a route the guard does not cover. */
export function principalOf(request: object): Principal {
  const principal = (request as Record<symbol, unknown>)[PRINCIPAL] as Principal | undefined;
  if (!principal) throw new Error('no authenticated principal on this request: put @UseGuards(ApiKeyGuard) on the route');
  return principal;
}
