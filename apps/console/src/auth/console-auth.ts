import type { IncomingMessage } from 'node:http';
import { Authenticator, grants, numberFromEnv, TokenBucketLimiter, type Principal } from '@spine/edge';
import { cookieOf, isHttps, sessionCookieName } from './cookies.js';
import { SessionStore, type ConsoleSession } from './session-store.js';

/** How a request was authenticated: a bearer credential (API clients) or a console session (the page). */
export type ConsoleCaller = { readonly via: 'bearer'; readonly principal: Principal } | { readonly via: 'session'; readonly principal: Principal; readonly session: ConsoleSession };

/** Whether a principal may use the console at all. */
export function isOperator(principal: Principal): boolean {
  return grants(principal.scopes, 'operator:read');
}

/**
 * Log-in attempts per client address (SPINE_CONSOLE_LOGINS_PER_MINUTE, default 10, all at once after a quiet
 * minute); each attempt counts, whatever its outcome.
 */
export function loginLimiterFromEnv(env: NodeJS.ProcessEnv = process.env): TokenBucketLimiter {
  const perMinute = numberFromEnv(env, 'SPINE_CONSOLE_LOGINS_PER_MINUTE', 10);
  if (!(perMinute > 0)) throw new RangeError(`SPINE_CONSOLE_LOGINS_PER_MINUTE must be a positive number; got ${env.SPINE_CONSOLE_LOGINS_PER_MINUTE}`);
  return new TokenBucketLimiter({ ratePerSecond: perMinute / 60, burst: Math.max(1, Math.floor(perMinute)) });
}

/**
 * The console's authentication: Spine's Authenticator (API keys in PostgreSQL, bootstrap keys, JWTs) plus
 * sessions, and its limits: every authenticated request takes a token from its credential's bucket (the
 * edge's SPINE_RATE_LIMIT_PER_SECOND and SPINE_RATE_LIMIT_BURST), every log-in attempt one from its address's.
 */
export class ConsoleAuth {
  constructor(
    readonly authenticator: Authenticator,
    readonly sessions: SessionStore,
    readonly limiter: TokenBucketLimiter | undefined = TokenBucketLimiter.fromEnv(),
    readonly logins: TokenBucketLimiter = loginLimiterFromEnv(),
  ) {}

  /** The caller of a request: its bearer / x-api-key credential if it sends one, else its session cookie. */
  async caller(request: IncomingMessage): Promise<ConsoleCaller | { readonly via: 'none'; readonly status: 401 | 503; readonly message: string }> {
    if (request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined) {
      const outcome = await this.authenticator.authenticate(request.headers);
      return outcome.ok ? { via: 'bearer', principal: outcome.principal } : { via: 'none', status: outcome.status, message: outcome.message };
    }
    const id = cookieOf(request, sessionCookieName(isHttps(request)));
    if (id) {
      let session: ConsoleSession | undefined;
      let holds: boolean;
      try {
        session = await this.sessions.get(id);
        holds = session !== undefined && (await this.authenticator.stillValid(session.principal));
      } catch (error) {
        return { via: 'none', status: 503, message: `cannot check the console session now: the database is unavailable (${(error as Error).message})` };
      }
      if (session && holds) return { via: 'session', principal: session.principal, session };
      if (session) {
        // The key it logged in with was revoked (or a bootstrap key removed): the session ends with it.
        await this.sessions.delete(id).catch(() => undefined);
        return { via: 'none', status: 401, message: 'the key this session logged in with is no longer valid: log in again' };
      }
    }
    return { via: 'none', status: 401, message: 'log in at /console with an operator key, or send Authorization: Bearer <key with operator:read>' };
  }

  /** Checks an operator key given at log-in (the form's field), as if it were a bearer credential. */
  verifyKey(key: string): ReturnType<Authenticator['authenticate']> {
    return this.authenticator.authenticate({ authorization: `Bearer ${key.trim()}` });
  }
}
