import type { IncomingMessage } from 'node:http';

/** The console's session cookie (the `__Host-` prefix when served over HTTPS: Secure, Path=/, no Domain). */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-spine-console' : 'spine-console';
}

/** A cookie's value from the request's Cookie header. */
export function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Set-Cookie for a session: HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS; empty value + Max-Age=0 clears it. */
export function sessionCookie(name: string, value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${options.maxAgeSeconds}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** Whether the request came over HTTPS (directly, or via a proxy that says so when SPINE_TRUST_PROXY=1). */
export function isHttps(request: IncomingMessage): boolean {
  if ((request.socket as { encrypted?: boolean }).encrypted) return true;
  return process.env.SPINE_TRUST_PROXY === '1' && String(request.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
}

/**
 * Whether a state-changing request comes from the console's own origin: `Sec-Fetch-Site: same-origin` when the browser sends
 * that header, else an `Origin` whose host is the request's Host. A request with neither is refused.
 */
export function isSameOrigin(request: IncomingMessage): boolean {
  // Browsers set Sec-Fetch-Site themselves (pages cannot forge it); older ones send only Origin.
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return false;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
