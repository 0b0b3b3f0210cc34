import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { describePrincipal, grants } from '@spine/edge';
import { ConsoleAuth, isOperator } from '../auth/console-auth.js';
import { cookieOf, isHttps, isSameOrigin, sessionCookie, sessionCookieName } from '../auth/cookies.js';
import { CONSOLE_ACTIONS, ConsoleAudit } from '../audit.js';
import { consolePage, loginPage, SECURITY_HEADERS } from './html.js';

const FORM_LIMIT = 16 * 1024;

/** GET /console (401 with a log-in form without a session), POST /console/login and /console/logout. */
@ApiExcludeController()
@Controller('console')
export class PageController {
  constructor(
    private readonly auth: ConsoleAuth,
    private readonly audit: ConsoleAudit,
  ) {}

  @Get()
  async page(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    const caller = await this.auth.caller(request);
    if (caller.via === 'none') return send(response, caller.status, loginPage(caller.status === 503 ? caller.message : undefined));
    if (!isOperator(caller.principal)) return send(response, 403, loginPage('this key has no operator scope (operator:read or operator:act)'));
    // A bearer caller gets the page too, with a session of its own so the page's calls carry a cookie, not the key.
    const session = caller.via === 'session' ? caller.session : await this.auth.sessions.create(caller.principal);
    if (caller.via === 'bearer') response.setHeader('set-cookie', sessionCookie(sessionCookieName(isHttps(request)), session.id, { secure: isHttps(request), maxAgeSeconds: 12 * 3600 }));
    send(response, 200, consolePage({ csrfToken: session.csrfToken, operator: caller.principal.name, canAct: grants(caller.principal.scopes, 'operator:act') }));
  }

  @Post('login')
  async login(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    if (!isSameOrigin(request)) return send(response, 403, loginPage('cross-origin log-in refused'));
    const attempt = this.auth.logins.take(request.socket.remoteAddress ?? 'unknown');
    if (!attempt.allowed) {
      response.setHeader('Retry-After', String(attempt.retryAfterSeconds));
      return send(response, 429, loginPage(`too many log-in attempts from this address; try again in ${attempt.retryAfterSeconds} s`));
    }
    const form = await readForm(request).catch(() => undefined);
    const key = form?.get('key');
    if (!key) return send(response, 400, loginPage('enter an operator key'));
    const outcome = await this.auth.verifyKey(key);
    if (!outcome.ok) return send(response, outcome.status, loginPage(outcome.status === 503 ? outcome.message : 'unknown or revoked key'));
    if (!isOperator(outcome.principal)) return send(response, 403, loginPage('this key has no operator scope (operator:read or operator:act)'));
    const session = await this.auth.sessions.create(outcome.principal);
    await this.audit.record({ actor: describePrincipal(outcome.principal), action: CONSOLE_ACTIONS.login, target: 'console', details: { scopes: [...outcome.principal.scopes] } });
    response.writeHead(303, { ...SECURITY_HEADERS, location: '/console', 'set-cookie': sessionCookie(sessionCookieName(isHttps(request)), session.id, { secure: isHttps(request), maxAgeSeconds: 12 * 3600 }) });
    response.end();
  }

  @Post('logout')
  async logout(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    const name = sessionCookieName(isHttps(request));
    if (isSameOrigin(request)) await this.auth.sessions.delete(cookieOf(request, name));
    response.writeHead(303, { ...SECURITY_HEADERS, location: '/console', 'set-cookie': sessionCookie(name, '', { secure: isHttps(request), maxAgeSeconds: 0 }) });
    response.end();
  }
}

function send(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  response.end(html);
}

/** An application/x-www-form-urlencoded body, at most 16 KiB. */
async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) throw new Error('not a form');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_LIMIT) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
