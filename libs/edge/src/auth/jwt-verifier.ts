import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { numberFromEnv } from '../env.js';
import { isScope, type Scope } from '../scopes.js';
import type { Principal } from './principal.js';

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export interface JwtOptions {
  /** A JWKS endpoint (keys rotate there; cached, refetched on an unknown kid) ... */
  readonly jwksUrl?: string;
  /** ... or one PEM public key (SPKI). */
  readonly publicKeyPem?: string;
  readonly issuer: string;
  readonly audience: string;
  /** Accepted `alg`s; never `none`, never HMAC (a shared secret would let every verifier mint tokens). */
  readonly algorithms?: readonly string[];
  readonly clockToleranceSeconds?: number;
}

/** The token was checked and refused (bad signature, expired, wrong issuer/audience, ...): a 401. */
export class JwtRejectedError extends Error {
  override readonly name = 'JwtRejectedError';
}

/** The token could not be checked (the JWKS endpoint did not answer): a 503, the client may retry. */
export class JwtUnverifiableError extends Error {
  override readonly name = 'JwtUnverifiableError';
}

/**
 * Verifies bearer JWTs with `jose`: signature (JWKS or a PEM key), `iss`, `aud`, `exp`/`nbf` (with a small
 * clock tolerance), and an allow-list of algorithms. Scopes come from the `scope` claim (space-separated,
 * RFC 8693) or `scp` (array or string, as Azure AD and Okta issue them); scopes Spine does not know are ignored.
 */
export class JwtVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;

  constructor(private readonly options: JwtOptions) {
    if (!options.issuer || !options.audience) throw new Error('JWT verification needs SPINE_JWT_ISSUER and SPINE_JWT_AUDIENCE');
    if (options.jwksUrl) {
      this.key = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 2_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    } else if (options.publicKeyPem) {
      this.key = createPublicKey(options.publicKeyPem.replace(/\\n/g, '\n'));
    } else {
      throw new Error('JWT verification needs SPINE_JWT_JWKS_URL or SPINE_JWT_PUBLIC_KEY');
    }
  }

  /** From SPINE_JWT_JWKS_URL or SPINE_JWT_PUBLIC_KEY (+ SPINE_JWT_ISSUER, SPINE_JWT_AUDIENCE); undefined when neither is set. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): JwtVerifier | undefined {
    const jwksUrl = env.SPINE_JWT_JWKS_URL?.trim();
    const publicKeyPem = env.SPINE_JWT_PUBLIC_KEY?.trim();
    if (!jwksUrl && !publicKeyPem) return undefined;
    const issuer = env.SPINE_JWT_ISSUER?.trim() ?? '';
    const audience = env.SPINE_JWT_AUDIENCE?.trim() ?? '';
    if (!issuer || !audience) {
      throw new Error('SPINE_JWT_JWKS_URL / SPINE_JWT_PUBLIC_KEY is set but SPINE_JWT_ISSUER or SPINE_JWT_AUDIENCE is not: set both, so tokens minted for other services are refused');
    }
    const algorithms = env.SPINE_JWT_ALGORITHMS?.split(',').map((a) => a.trim()).filter(Boolean);
    return new JwtVerifier({
      ...(jwksUrl ? { jwksUrl } : { publicKeyPem: publicKeyPem! }),
      issuer,
      audience,
      ...(algorithms?.length ? { algorithms } : {}),
      clockToleranceSeconds: numberFromEnv(env, 'SPINE_JWT_CLOCK_TOLERANCE_S', 30),
    });
  }

  async verify(token: string): Promise<Principal> {
    const algorithms = [...(this.options.algorithms ?? DEFAULT_ALGORITHMS)].filter((a) => a !== 'none' && !a.startsWith('HS'));
    let payload: JWTPayload;
    try {
      const verifyOptions = { issuer: this.options.issuer, audience: this.options.audience, algorithms, clockTolerance: this.options.clockToleranceSeconds ?? 30 };
      ({ payload } =
        typeof this.key === 'function' ? await jwtVerify(token, this.key, verifyOptions) : await jwtVerify(token, this.key, verifyOptions));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || (error instanceof Error && !(error instanceof errors.JOSEError))) {
        throw new JwtUnverifiableError(`cannot verify the token now (${error.message})`);
      }
      throw new JwtRejectedError(`invalid token: ${(error as Error).message}`);
    }
    if (!payload.sub) throw new JwtRejectedError('invalid token: no "sub" claim');
    return { id: `jwt:${payload.iss}|${payload.sub}`, kind: 'jwt', name: payload.sub, scopes: scopesOf(payload) };
  }
}

function scopesOf(payload: JWTPayload): ReadonlySet<Scope> {
  const raw = [payload.scope, payload.scp].flatMap((claim) => (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(' ') : []));
  return new Set(raw.filter(isScope));
}
