import pg from 'pg';
import { databaseSchema } from '@spine/postgres';
import { ApiKeyStore, type ApiKeyCredential } from '../api-keys/api-key-store.js';
import { apiKeyId, hashApiKey, sameDigest } from '../api-keys/key-format.js';
import { numberFromEnv } from '../env.js';
import { SCOPES } from '../scopes.js';
import { JwtRejectedError, JwtVerifier } from './jwt-verifier.js';
import type { Principal } from './principal.js';
import { TtlCache } from './ttl-cache.js';

export type AuthOutcome =
  | { readonly ok: true; readonly principal: Principal }
  /** 401: no or bad credentials; 503: they could not be checked now (database or JWKS unavailable). */
  | { readonly ok: false; readonly status: 401 | 503; readonly message: string };

export interface AuthenticatorOptions {
  /** SPINE_API_KEYS: full-scope bootstrap keys (16+ characters). */
  readonly bootstrapKeys?: readonly string[];
  /** Keys created with `spine-cli keys create`. */
  readonly keys?: Pick<ApiKeyStore, 'credential'>;
  readonly jwt?: JwtVerifier;
  /** How long a looked-up key (or its absence) is trusted: a revoke takes effect within this. */
  readonly keyCacheMs?: number;
  /** Closed by close(). */
  readonly ownedPool?: pg.Pool;
}

const MAX_CREDENTIAL_LENGTH = 8_192;

/** A bootstrap key's principal id: a prefix of its digest, so logs and rate limits tell keys apart without the key. */
function bootstrapPrincipalId(digest: Buffer): string {
  return `bootstrap:${digest.subarray(0, 6).toString('hex')}`;
}
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Turns request headers into a Principal, or says why not. Credentials: `Authorization: Bearer <credential>`
 * or `x-api-key: <credential>`, where the credential is a bootstrap key, a Spine API key (`spk_<id>_<secret>`:
 * one indexed lookup by id, cached briefly, then a constant-time comparison of SHA-256 digests) or a JWT.
 */
export class Authenticator {
  private readonly bootstrap: ReadonlyArray<{ digest: Buffer; index: number }>;
  private readonly cache: TtlCache<ApiKeyCredential | undefined>;

  constructor(private readonly options: AuthenticatorOptions) {
    this.bootstrap = (options.bootstrapKeys ?? []).map((key, index) => ({ digest: hashApiKey(key), index }));
    this.cache = new TtlCache(options.keyCacheMs ?? 5_000);
  }

  /**
   * From the environment: SPINE_API_KEYS, DATABASE_URL (+ SPINE_DB_SCHEMA) for stored keys (its own small
   * pool), SPINE_JWT_* for tokens, SPINE_API_KEY_CACHE_MS (default 5000).
   */
  static fromEnv(service: string, env: NodeJS.ProcessEnv = process.env): Authenticator {
    const bootstrapKeys = (env.SPINE_API_KEYS ?? '').split(',').map((k) => k.trim()).filter((k) => k.length >= 16);
    let pool: pg.Pool | undefined;
    if (env.DATABASE_URL?.trim()) {
      pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2, idleTimeoutMillis: 30_000, allowExitOnIdle: true, application_name: `spine-${service}-auth` });
      pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
    }
    const jwt = JwtVerifier.fromEnv(env);
    return new Authenticator({
      bootstrapKeys,
      ...(pool ? { keys: new ApiKeyStore(pool, { schema: databaseSchema(env) }), ownedPool: pool } : {}),
      ...(jwt ? { jwt } : {}),
      keyCacheMs: numberFromEnv(env, 'SPINE_API_KEY_CACHE_MS', 5_000),
    });
  }

  /** Whether any credential could ever be accepted (for a clear 401 message). */
  get configured(): boolean {
    return this.bootstrap.length > 0 || this.options.keys !== undefined || this.options.jwt !== undefined;
  }

  async authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<AuthOutcome> {
    const credential = credentialOf(headers);
    if (typeof credential !== 'string') return credential;
    if (credential.length > MAX_CREDENTIAL_LENGTH) return refuse('credential too long');

    const digest = hashApiKey(credential);
    let bootstrapIndex = -1;
    for (const key of this.bootstrap) if (sameDigest(key.digest, digest)) bootstrapIndex = key.index; // no early exit
    if (bootstrapIndex >= 0) {
      return { ok: true, principal: { id: bootstrapPrincipalId(digest), kind: 'bootstrap', name: `SPINE_API_KEYS #${bootstrapIndex + 1}`, scopes: new Set(SCOPES) } };
    }

    const id = apiKeyId(credential);
    if (id !== undefined && this.options.keys) {
      let stored: ApiKeyCredential | undefined;
      try {
        stored = await this.cache.get(id, () => this.options.keys!.credential(id));
      } catch (error) {
        return { ok: false, status: 503, message: `cannot verify the API key now: the key store is unavailable (${(error as Error).message})` };
      }
      // Only the key's holder learns that it was revoked: anyone else is told it is unknown.
      if (!stored || !sameDigest(stored.hash, digest)) return refuse('unknown API key');
      if (stored.revoked) return refuse('API key revoked');
      return { ok: true, principal: { id: `key:${stored.id}`, kind: 'api-key', name: stored.name, scopes: new Set(stored.scopes) } };
    }

    if (JWT.test(credential)) {
      if (!this.options.jwt) return refuse('bearer tokens (JWT) are not accepted by this service: set SPINE_JWT_JWKS_URL or SPINE_JWT_PUBLIC_KEY');
      try {
        return { ok: true, principal: await this.options.jwt.verify(credential) };
      } catch (error) {
        if (error instanceof JwtRejectedError) return refuse(error.message);
        return { ok: false, status: 503, message: (error as Error).message };
      }
    }
    return refuse(this.configured ? 'unknown API key' : 'no credentials are configured on this service (set SPINE_API_KEYS, DATABASE_URL for stored keys, or SPINE_JWT_*)');
  }

  /**
   * Whether a principal this authenticator accepted earlier still holds, for sessions built on it: a stored key
   * that is not revoked (known within keyCacheMs), a bootstrap key still configured. A JWT's principal holds (a
   * session on one ends by its own expiry). Rejects when the key store cannot be read now.
   */
  async stillValid(principal: Principal): Promise<boolean> {
    if (principal.kind === 'bootstrap') return this.bootstrap.some((key) => principal.id === bootstrapPrincipalId(key.digest));
    if (principal.kind === 'api-key') {
      const id = principal.id.replace(/^key:/, '');
      if (!this.options.keys) return false;
      const stored = await this.cache.get(id, () => this.options.keys!.credential(id));
      return stored !== undefined && !stored.revoked;
    }
    return true;
  }

  async close(): Promise<void> {
    await this.options.ownedPool?.end();
  }
}

function credentialOf(headers: Readonly<Record<string, string | string[] | undefined>>): string | AuthOutcome {
  const authorization = first(headers.authorization);
  if (authorization !== undefined) {
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
    return bearer ?? refuse('the Authorization header must be "Bearer <API key or token>"');
  }
  const apiKey = first(headers['x-api-key'])?.trim();
  return apiKey ? apiKey : refuse('missing credentials: send Authorization: Bearer <API key or token>, or x-api-key: <API key>');
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function refuse(reason: string): AuthOutcome {
  return { ok: false, status: 401, message: reason };
}
