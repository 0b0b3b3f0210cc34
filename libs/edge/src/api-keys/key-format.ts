import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `spk_<id>_<secret>`: a public 12-hex-digit id (the row's primary key, so a lookup is one
 * index probe) and 256 random bits. Only SHA-256 of the whole key is stored. A fast hash is right here, unlike
 * for passwords: the key has 256 bits of entropy, so no dictionary or brute-force attack applies whatever the
 * hash speed, and verifying costs microseconds per request (bcrypt/scrypt/argon2 would cost tens of ms of
 * CPU per request and be a denial-of-service lever without adding security to a random key).
 */
const FORMAT = /^spk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  readonly id: string;
  /** The plaintext: shown once, never stored. */
  readonly key: string;
  readonly hash: Buffer;
}

export function generateApiKey(): GeneratedKey {
  const id = randomBytes(6).toString('hex');
  const key = `spk_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashApiKey(key) };
}

/** The id of a well-formed key, else undefined (not a Spine key: maybe a bootstrap key or a JWT). */
export function apiKeyId(presented: string): string | undefined {
  return FORMAT.exec(presented)?.[1];
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Constant-time comparison of two digests. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
