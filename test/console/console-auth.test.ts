import pg from 'pg';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { ApiKeyStore } from '@spine/edge';
import { eventually, operatorKeys } from './support.js';

// The console's API behind the edge's API keys: 401 without a key, 403 without an operator scope, a read-only key
// reads but cannot act, a session cookie needs the CSRF token and the console's own origin to act.
describe('console API: authentication, roles, CSRF', () => {
  const schema = uniqueSqlName('console_auth');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  let fx: SpineFixture;
  let service: ServiceProcess;
  let keys: { act: string; read: string; other: string };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const redrive = (headers: Record<string, string>, body: unknown = { all: true }) =>
    fetch(`${service.url}/v1/admin/dead-letters/enrichment/redrive`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    fx = await provisionedFixture('console-auth', 1);
    keys = await operatorKeys(pool, schema);
    service = await new ServiceProcess('console', await freePort(), { SPINE_TOPIC_PREFIX: fx.prefix, SPINE_DB_SCHEMA: schema, SPINE_API_KEYS: '' }, 'console-auth').start();
  }, 120_000);

  afterAll(async () => {
    await service?.kill();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    await fx?.close();
  }, 60_000);

  it.each(['/console', '/v1/admin/topology', '/v1/admin/dead-letters', '/v1/admin/deliveries', '/v1/admin/events', '/v1/admin/models'])('GET %s without a key: 401, no data', async (path) => {
    const response = await fetch(`${service.url}${path}`);
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain(fx.prefix);
  });

  it('refuses a key without an operator scope (403) and an unknown key (401)', async () => {
    expect((await fetch(`${service.url}/v1/admin/topology`, { headers: bearer(keys.other) })).status).toBe(403);
    expect((await fetch(`${service.url}/console`, { headers: bearer(keys.other) })).status).toBe(403);
    expect((await fetch(`${service.url}/v1/admin/topology`, { headers: bearer(`spk_${'0'.repeat(12)}_${'A'.repeat(43)}`) })).status).toBe(401);
  });

  it('lets a read-only key read but not act; an operate key acts (operator:act implies operator:read)', async () => {
    const read = await fetch(`${service.url}/v1/admin/topology`, { headers: bearer(keys.read) });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { stages: unknown[] }).stages.length).toBeGreaterThan(0);
    const refused = await redrive(bearer(keys.read));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain('operator:act');
    expect((await fetch(`${service.url}/v1/admin/topology`, { headers: bearer(keys.act) })).status).toBe(200);
    const acted = await redrive(bearer(keys.act));
    expect(acted.status).toBe(200);
    expect(((await acted.json()) as { moved: number }).moved).toBe(0);
  });

  it('answers field-level 400s for a bad re-drive body', async () => {
    const response = await redrive(bearer(keys.act), { records: [{ partition: -1, offset: 'x' }] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: Array<{ field: string }> };
    expect(body.issues.map((i) => i.field).sort()).toEqual(['records.0.offset', 'records.0.partition']);
  });

  it('logs in with a form, and a session acts only with its CSRF token from the same origin', async () => {
    const origin = service.url;
    const crossSite = await fetch(`${service.url}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: `key=${encodeURIComponent(keys.act)}` });
    expect(crossSite.status).toBe(403);
    const login = await fetch(`${service.url}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: `key=${encodeURIComponent(keys.act)}` });
    expect(login.status).toBe(303);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    const page = await fetch(`${service.url}/console`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain(keys.act);
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(html)![1]!;
    expect((await redrive({ cookie, origin })).status).toBe(403); // no token
    expect((await redrive({ cookie, origin, 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await redrive({ cookie, origin: 'https://evil.example', 'x-csrf-token': csrf })).status).toBe(403);
    expect((await redrive({ cookie, 'sec-fetch-site': 'cross-site', 'x-csrf-token': csrf })).status).toBe(403);
    expect((await redrive({ cookie, origin, 'x-csrf-token': csrf })).status).toBe(200);
    const { rows } = await pool.query<{ action: string }>(`SELECT action FROM "${schema}".audit_log WHERE service = 'console' ORDER BY id`);
    expect(rows.map((r) => r.action)).toEqual(['dead-letter.redrive', 'console.login', 'dead-letter.redrive']);
    const logout = await fetch(`${service.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, origin } });
    expect(logout.status).toBe(303);
    expect((await fetch(`${service.url}/v1/admin/topology`, { headers: { cookie } })).status).toBe(401);
  });
  it('shares sessions between replicas and across a restart; log-out ends one everywhere, and so does revoking its key', async () => {
    const store = new ApiKeyStore(pool, { schema });
    const { key, info } = await store.create({ name: 'console-session', scopes: ['operator:act'], actor: 'console-test' });
    const env = { SPINE_TOPIC_PREFIX: fx.prefix, SPINE_DB_SCHEMA: schema, SPINE_API_KEYS: '', SPINE_API_KEY_CACHE_MS: '500', SPINE_CONSOLE_STREAM_RECHECK_MS: '1000' };
    let replica = await new ServiceProcess('console', await freePort(), env, 'console-replica').start();
    try {
      const logIn = async (at: ServiceProcess) => {
        const login = await fetch(`${at.url}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: at.url }, body: `key=${encodeURIComponent(key)}` });
        expect(login.status).toBe(303);
        return login.headers.get('set-cookie')!.split(';')[0]!;
      };
      const whoami = async (at: ServiceProcess, cookie: string) => {
        const response = await fetch(`${at.url}/v1/admin/whoami`, { headers: { cookie } });
        return { status: response.status, body: (await response.json()) as { name?: string; message?: string } };
      };
      const cookie = await logIn(service);
      expect(await whoami(replica, cookie)).toEqual({ status: 200, body: expect.objectContaining({ name: 'console-session', canAct: true }) });
      // The table holds the session id only as a digest: what it stores does not log anyone in.
      const { rows } = await pool.query<{ row: string }>(`SELECT row_to_json(s)::text AS row FROM "${schema}".console_sessions s`);
      expect(rows.length).toBeGreaterThan(0);
      for (const { row } of rows) expect(row).not.toContain(cookie.split('=')[1]);

      await replica.stop();
      replica = await new ServiceProcess('console', await freePort(), env, 'console-replica-restarted').start();
      expect((await whoami(replica, cookie)).status).toBe(200); // a restart logs no one out

      // A live stream on one replica ends when the session is logged out on another.
      const stream = await fetch(`${replica.url}/v1/admin/events`, { headers: { cookie }, signal: AbortSignal.timeout(30_000) });
      expect(stream.status).toBe(200);
      const logout = await fetch(`${service.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: service.url } });
      expect(logout.status).toBe(303);
      expect((await whoami(replica, cookie)).status).toBe(401); // logged out on one replica: on all
      const streamed = await stream.text().catch((error: Error) => `(the stream did not end: ${error.message})`);
      expect(streamed).toMatch(/event: session-ended\ndata: \{"message":"log in at \/console/);

      const again = await logIn(replica);
      expect((await whoami(service, again)).status).toBe(200);
      await store.revoke(info.id, 'console-test');
      const ended = await eventually('the revoked key\'s session to end', async () => {
        const answer = await whoami(service, again);
        return answer.status === 401 ? answer : undefined;
      }, 20_000);
      expect(ended.body.message).toMatch(/no longer valid: log in again/);
      expect((await whoami(replica, again)).status).toBe(401);
    } finally {
      await replica.kill();
    }
  });

  it('limits each credential\'s requests (429 with Retry-After) and each address\'s log-in attempts, whatever their outcome', async () => {
    const limited = await new ServiceProcess('console', await freePort(), { SPINE_TOPIC_PREFIX: fx.prefix, SPINE_DB_SCHEMA: schema, SPINE_API_KEYS: '', SPINE_RATE_LIMIT_PER_SECOND: '0.2', SPINE_RATE_LIMIT_BURST: '3', SPINE_CONSOLE_LOGINS_PER_MINUTE: '2' }, 'console-limits').start();
    try {
      const topology = (key: string) => fetch(`${limited.url}/v1/admin/topology`, { headers: bearer(key) });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await topology(keys.read)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await topology(keys.read);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as { message: string }).message).toMatch(/rate limit of 0\.2 requests\/s \(burst 3\) for this credential exceeded/);
      expect((await topology(keys.act)).status).toBe(200); // another credential has a bucket of its own

      const login = (key: string) => fetch(`${limited.url}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: limited.url }, body: `key=${encodeURIComponent(key)}` });
      expect((await login(`spk_${'0'.repeat(12)}_${'A'.repeat(43)}`)).status).toBe(401);
      expect((await login(keys.act)).status).toBe(303);
      const third = await login(keys.act);
      expect(third.status).toBe(429);
      expect(third.headers.get('set-cookie')).toBeNull();
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await third.text()).toContain('too many log-in attempts');
    } finally {
      await limited.kill();
    }
  });
});
