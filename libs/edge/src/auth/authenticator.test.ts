import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { Authenticator } from './authenticator.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3 });
const schema = `t_auth_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const keys = new ApiKeyStore(pool, { schema });
const bootstrap = randomBytes(24).toString('base64url');

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: start the stack (bash scripts/stack.sh up) and source its stack.env');
  await keys.migrate();
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('Authenticator', () => {
  const auth = new Authenticator({ bootstrapKeys: ['x'.repeat(20), bootstrap], keys, keyCacheMs: 300 });

  it('accepts bootstrap keys with every scope, by Bearer or x-api-key', async () => {
    for (const headers of [{ authorization: `Bearer ${bootstrap}` }, { authorization: `bearer   ${bootstrap}` }, { 'x-api-key': bootstrap }]) {
      const outcome = await auth.authenticate(headers);
      expect(outcome).toEqual({ ok: true, principal: expect.objectContaining({ kind: 'bootstrap', name: 'SPINE_API_KEYS #2', scopes: new Set(['events:write', 'results:read', 'admin']) }) });
    }
  });

  it('accepts a stored key with its scopes; a revoke takes effect within the cache time', async () => {
    const { key, info } = await keys.create({ name: 'crm', scopes: ['events:write'], actor: 'test' });
    expect(await auth.authenticate({ authorization: `Bearer ${key}` })).toEqual({ ok: true, principal: { id: `key:${info.id}`, kind: 'api-key', name: 'crm', scopes: new Set(['events:write']) } });
    await keys.revoke(info.id, 'test');
    expect((await auth.authenticate({ authorization: `Bearer ${key}` })).ok).toBe(true); // cached for 300 ms
    await new Promise((r) => setTimeout(r, 350));
    expect(await auth.authenticate({ authorization: `Bearer ${key}` })).toEqual({ ok: false, status: 401, message: 'API key revoked' });
  });

  it('tells whether a principal accepted earlier still holds: a stored key until revoked, a bootstrap key while configured', async () => {
    const { key, info } = await keys.create({ name: 'session', scopes: ['operator:read'], actor: 'test' });
    const stored = await auth.authenticate({ authorization: `Bearer ${key}` });
    const boot = await auth.authenticate({ authorization: `Bearer ${bootstrap}` });
    if (!stored.ok || !boot.ok) throw new Error('both keys should authenticate');
    expect(await auth.stillValid(stored.principal)).toBe(true);
    expect(await auth.stillValid(boot.principal)).toBe(true);
    // The same bootstrap key on a process configured without it (rotated away): no longer valid.
    expect(await new Authenticator({ bootstrapKeys: ['y'.repeat(20)], keys }).stillValid(boot.principal)).toBe(false);
    await keys.revoke(info.id, 'test');
    await new Promise((r) => setTimeout(r, 350)); // past the 300 ms key cache
    expect(await auth.stillValid(stored.principal)).toBe(false);
    expect(await auth.stillValid({ ...stored.principal, id: 'key:nosuchkey000' })).toBe(false);
  });

  it('refuses a key with the right id and a wrong secret as unknown (it does not tell it was revoked)', async () => {
    const { key } = await keys.create({ name: 'other', scopes: ['admin'], actor: 'test' });
    const forged = `${key.slice(0, -2)}${key.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await auth.authenticate({ authorization: `Bearer ${forged}` })).toEqual({ ok: false, status: 401, message: 'unknown API key' });
  });

  it('says what is wrong with missing or malformed credentials', async () => {
    expect(await auth.authenticate({})).toEqual({ ok: false, status: 401, message: expect.stringContaining('missing credentials') });
    expect(await auth.authenticate({ authorization: 'Basic YTpi' })).toEqual({ ok: false, status: 401, message: expect.stringContaining('Bearer') });
    expect(await auth.authenticate({ authorization: `Bearer ${'k'.repeat(9_000)}` })).toEqual({ ok: false, status: 401, message: 'credential too long' });
    expect(await auth.authenticate({ 'x-api-key': 'a.b.c' })).toEqual({ ok: false, status: 401, message: expect.stringContaining('SPINE_JWT_JWKS_URL') });
  });

  it('answers 503, not 401, when stored keys cannot be checked (database down)', async () => {
    const down = new pg.Pool({ connectionString: 'postgres://spine:spine@127.0.0.1:1/spine', connectionTimeoutMillis: 500 });
    const outage = new Authenticator({ keys: new ApiKeyStore(down, { schema }) });
    const outcome = await outage.authenticate({ authorization: `Bearer spk_0123456789ab_${'a'.repeat(43)}` });
    expect(outcome).toEqual({ ok: false, status: 503, message: expect.stringContaining('key store is unavailable') });
    await down.end();
  });
});
