import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '@spine/edge';

/** A logged-in operator: who (never the key itself), the CSRF token the page sends back, and until when. */
export interface ConsoleSession {
  readonly id: string;
  readonly principal: Principal;
  readonly csrfToken: string;
  expiresAt: number;
}

/**
 * Console sessions in memory: an opaque random id (256 bits) per log-in, a CSRF token of its own, a sliding
 * expiry (`ttlMs`, renewed by use). A restart logs everyone out, which is fine for an operator console.
 */
export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(private readonly ttlMs: number) {}

  create(principal: Principal): ConsoleSession {
    this.sweep();
    const session: ConsoleSession = { id: randomBytes(32).toString('base64url'), principal, csrfToken: randomBytes(32).toString('base64url'), expiresAt: Date.now() + this.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of this id (its expiry renewed), or undefined. */
  get(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    session.expiresAt = Date.now() + this.ttlMs;
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** Constant-time comparison of the token a request sent with its session's. */
  static sameToken(session: ConsoleSession, sent: string | undefined): boolean {
    if (!sent) return false;
    const a = Buffer.from(session.csrfToken);
    const b = Buffer.from(sent);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}
