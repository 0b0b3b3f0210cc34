import { SecretBox } from './secret-box.js';
import { newSigningSecret } from './signer.js';

describe('SecretBox', () => {
  it('stores secrets encrypted under SPINE_WEBHOOKS_SECRET_KEY and opens them again', () => {
    const box = new SecretBox('a passphrase of some length');
    const secret = newSigningSecret();
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.seal(secret)).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed)).toBe(secret);
    expect(() => new SecretBox('another passphrase!!').open(sealed)).toThrow(); // GCM refuses the wrong key
  });

  it('keeps plain secrets readable, and says which key is missing for sealed ones', () => {
    const secret = newSigningSecret();
    expect(new SecretBox(undefined).seal(secret)).toBe(secret);
    expect(new SecretBox('a passphrase of some length').open(secret)).toBe(secret);
    expect(() => new SecretBox(undefined).open(new SecretBox('a passphrase of some length').seal(secret))).toThrow(/SPINE_WEBHOOKS_SECRET_KEY is not set/);
    expect(() => new SecretBox('short')).toThrow(/at least 16/);
  });
});
