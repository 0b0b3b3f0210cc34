import { apiKeyId, generateApiKey, hashApiKey, sameDigest } from './key-format.js';

describe('API key format', () => {
  it('makes spk_<12 hex id>_<256-bit secret> keys whose id parses back and whose hash is SHA-256', () => {
    const { id, key, hash } = generateApiKey();
    expect(key).toMatch(/^spk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyId(key)).toBe(id);
    expect(hash).toHaveLength(32);
    expect(sameDigest(hash, hashApiKey(key))).toBe(true);
    expect(sameDigest(hash, hashApiKey(`${key}x`))).toBe(false);
    expect(sameDigest(hash, Buffer.alloc(16))).toBe(false);
  });

  it('never repeats ids or secrets', () => {
    const keys = Array.from({ length: 2_000 }, generateApiKey);
    expect(new Set(keys.map((k) => k.id)).size).toBe(2_000);
    expect(new Set(keys.map((k) => k.key)).size).toBe(2_000);
  });

  it('recognises only well-formed keys', () => {
    for (const other of ['', 'spk_', 'spk_0123456789ab_short', `spk_0123456789AB_${'a'.repeat(43)}`, `xpk_0123456789ab_${'a'.repeat(43)}`, `spk_0123456789ab_${'a'.repeat(44)}`]) {
      expect(apiKeyId(other)).toBeUndefined();
    }
  });
});
