import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { JwtRejectedError, JwtVerifier } from './jwt-verifier.js';

const ISSUER = 'https://idp.example';
const AUDIENCE = 'spine';

describe('JwtVerifier with a PEM public key', () => {
  let privateKey: CryptoKey;
  let pem: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    pem = await exportSPKI(pair.publicKey);
  });

  const sign = (claims: Record<string, unknown>, options: { issuer?: string; audience?: string; exp?: number | string; alg?: string; key?: CryptoKey | Uint8Array } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'RS256' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? privateKey);

  it('reads scopes from `scope` or `scp`, keeps only known ones, and names the principal by issuer and subject', async () => {
    const verifier = JwtVerifier.fromEnv({ SPINE_JWT_PUBLIC_KEY: pem.replaceAll('\n', '\\n'), SPINE_JWT_ISSUER: ISSUER, SPINE_JWT_AUDIENCE: AUDIENCE })!;
    const a = await verifier.verify(await sign({ sub: 'crm', scope: 'events:write openid results:read' }));
    expect(a).toEqual({ id: `jwt:${ISSUER}|crm`, kind: 'jwt', name: 'crm', scopes: new Set(['events:write', 'results:read']) });
    expect((await verifier.verify(await sign({ sub: 'crm', scp: ['admin', 'x'] }))).scopes).toEqual(new Set(['admin']));
    expect((await verifier.verify(await sign({ sub: 'crm', scp: 'results:read' }))).scopes).toEqual(new Set(['results:read']));
    expect((await verifier.verify(await sign({ sub: 'crm' }))).scopes).toEqual(new Set());
  });

  it('refuses wrong issuer, audience, expired tokens, other keys, HMAC and tokens without a subject', async () => {
    const verifier = new JwtVerifier({ publicKeyPem: pem, issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 5 });
    const other = (await generateKeyPair('RS256')).privateKey;
    const bad = [
      await sign({ sub: 'x' }, { issuer: 'https://evil.example' }),
      await sign({ sub: 'x' }, { audience: 'another-service' }),
      await sign({ sub: 'x' }, { exp: Math.floor(Date.now() / 1000) - 60 }),
      await sign({ sub: 'x' }, { key: other }),
      await sign({ sub: 'x' }, { alg: 'HS256', key: new TextEncoder().encode('a shared secret that anyone could use!!') }),
      await sign({ scope: 'admin' }),
      'not.a.jwt',
    ];
    for (const token of bad) await expect(verifier.verify(token)).rejects.toBeInstanceOf(JwtRejectedError);
  });

  it('is off without key settings, and refuses half a configuration', () => {
    expect(JwtVerifier.fromEnv({})).toBeUndefined();
    expect(() => JwtVerifier.fromEnv({ SPINE_JWT_PUBLIC_KEY: pem })).toThrow(/SPINE_JWT_ISSUER or SPINE_JWT_AUDIENCE/);
  });
});
