import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenException, Injectable, ServiceUnavailableException, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { grants, type Scope } from '@spine/edge';
import { bodyLimitFromEnv, rateLimitRefusal, readJsonBody, SCOPES_METADATA } from '@spine/runtime';
import { ConsoleAuth, type ConsoleCaller } from './console-auth.js';
import { isSameOrigin } from './cookies.js';
import { SessionStore } from './session-store.js';

const CALLER = Symbol('spine.console.caller');

/** The caller ConsoleAuthGuard authenticated for this request. */
export function callerOf(request: object): ConsoleCaller {
  const caller = (request as Record<symbol, ConsoleCaller | undefined>)[CALLER];
  if (!caller) throw new Error('no console caller on this request: put @UseGuards(ConsoleAuthGuard) on the route');
  return caller;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every console route, in this order: 401 without a valid bearer credential or session; 403 without the
 * route's scope (@RequireScopes; `operator:read` when it declares none; `operator:act` implies read); for a
 * session (cookie) request that changes state, 403 unless it carries the session's CSRF token in
 * `x-csrf-token` and comes from the console's own origin; 429 with Retry-After past the credential's rate
 * limit; only then the JSON body is read (415/413/400).
 */
@Injectable()
export class ConsoleAuthGuard implements CanActivate {
  private readonly bodyLimit = bodyLimitFromEnv();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: ConsoleAuth,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<IncomingMessage & { body?: unknown }>();
    const response = context.switchToHttp().getResponse<ServerResponse>();
    const caller = await this.auth.caller(request);
    if (caller.via === 'none') {
      if (caller.status === 503) {
        response.setHeader('Retry-After', '2');
        throw new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: caller.message });
      }
      response.setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: caller.message });
    }
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_METADATA, [context.getHandler(), context.getClass()]) ?? ['operator:read'];
    const missing = required.filter((scope) => !grants(caller.principal.scopes, scope));
    if (missing.length) throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: `this credential lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} this needs` });
    if (caller.via === 'session' && !SAFE.has(request.method ?? 'GET')) {
      const token = request.headers['x-csrf-token'];
      if (!SessionStore.sameToken(caller.session, Array.isArray(token) ? token[0] : token)) throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'missing or wrong x-csrf-token: reload the console' });
      if (!isSameOrigin(request)) throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'cross-origin request refused' });
    }
    const limited = rateLimitRefusal(this.auth.limiter, caller.principal.id, response);
    if (limited) throw limited;
    (request as unknown as Record<symbol, ConsoleCaller>)[CALLER] = caller;
    await readJsonBody(request, this.bodyLimit);
    return true;
  }
}
