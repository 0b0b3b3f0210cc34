import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenException, HttpException, Injectable, ServiceUnavailableException, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Scope } from '@spine/edge';
import { edgeSecurity, type EdgeSecurity } from './edge-security.js';
import { readJsonBody } from './json-body.js';
import { rateLimitRefusal } from './rate-limit-refusal.js';
import { setPrincipal } from './principal.js';
import { SCOPES_METADATA } from './scopes.decorator.js';
import { SpineContext } from './spine-context.js';

/**
 * The edge of every business endpoint, in this order, each step before anything of the request is parsed:
 * 1. authentication (401): a bootstrap key from SPINE_API_KEYS (all scopes), a key made by `spine-cli keys create`
 *    (hashed in PostgreSQL), or a JWT; `Authorization: Bearer <credential>` or `x-api-key: <key>`;
 * 2. scopes (403): the route's @RequireScopes (admin when it declares none);
 * 3. the credential's rate limit (429 with Retry-After);
 * 4. only then the JSON body (415/413/400), so refused requests cost no parsing and reach nothing behind.
 * The principal is then on the request (principalOf).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly edge: EdgeSecurity;

  constructor(
    private readonly reflector: Reflector,
    context: SpineContext,
  ) {
    this.edge = edgeSecurity(context.service, context.metrics.registry);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<IncomingMessage & { body?: unknown }>();
    const response = context.switchToHttp().getResponse<ServerResponse>();
    const refuse = (status: number, reason: string, error: HttpException): never => {
      this.edge.refused.inc({ status: String(status), reason });
      throw error;
    };

    const outcome = await this.edge.authenticator.authenticate(request.headers);
    if (!outcome.ok) {
      if (outcome.status === 503) {
        response.setHeader('Retry-After', '2');
        refuse(503, 'credentials-unverifiable', new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: outcome.message }));
      }
      response.setHeader('WWW-Authenticate', 'Bearer');
      refuse(401, 'unauthenticated', new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: outcome.message }));
    }
    const principal = (outcome as Extract<typeof outcome, { ok: true }>).principal;

    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_METADATA, [context.getHandler(), context.getClass()]) ?? ['admin'];
    const missing = required.filter((scope) => !principal.scopes.has(scope));
    if (missing.length) {
      refuse(403, 'scope', new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: `this credential lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} this endpoint needs` }));
    }

    const limited = rateLimitRefusal(this.edge.limiter, principal.id, response);
    if (limited) refuse(429, 'rate-limit', limited);

    setPrincipal(request, principal);
    try {
      await readJsonBody(request, this.edge.bodyLimitBytes);
    } catch (error) {
      if (error instanceof HttpException) refuse(error.getStatus(), 'body', error);
      throw error;
    }
    return true;
  }
}
