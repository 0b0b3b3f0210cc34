import pg from 'pg';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { operatorKeys } from './support.js';

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
});
