import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import pg from 'pg';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { bearer, call, createKey, EdgeProcess, highWatermarks, postJson, runCli, supportMessage, waitFor } from './support/edge.js';

// Authentication before anything else, scopes, rate limits, stored keys (CLI), JWT, the ops port: one real
// ingestion and one real sink process on the shared stack, a topic prefix and a database schema of their own.
const ISSUER = 'https://idp.edge-test.invalid';
const AUDIENCE = 'spine-edge-test';

describe('the edge: authentication, scopes, rate limits', () => {
  const bootstrapKey = randomBytes(24).toString('base64url');
  const schema = uniqueSqlName('edge_auth');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3 });
  let fx: SpineFixture;
  let ingestion: EdgeProcess;
  let sink: ServiceProcess;
  let opsPort: number;
  let jwks: Server;
  let signingKey: CryptoKey;
  let topics: string[];
  const env = () => ({ SPINE_TOPIC_PREFIX: fx.prefix, SPINE_DB_SCHEMA: schema, SPINE_API_KEYS: bootstrapKey });
  const events = () => `${ingestion.url}/v1/events`;

  beforeAll(async () => {
    fx = await provisionedFixture('edge-auth', 2);
    topics = fx.topology.all.map((t) => t.name);
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    const jwksPort = await freePort();
    await new Promise<void>((resolve) => jwks.listen(jwksPort, '127.0.0.1', resolve));
    opsPort = await freePort();
    ingestion = await new EdgeProcess(
      'ingestion',
      await freePort(),
      {
        ...env(),
        SPINE_JWT_JWKS_URL: `http://127.0.0.1:${jwksPort}/jwks.json`,
        SPINE_JWT_ISSUER: ISSUER,
        SPINE_JWT_AUDIENCE: AUDIENCE,
        SPINE_RATE_LIMIT_PER_SECOND: '2',
        SPINE_RATE_LIMIT_BURST: '6',
        SPINE_API_KEY_CACHE_MS: '1000',
        SPINE_HTTP_BODY_LIMIT: '64kb',
        SPINE_OPS_PORT: String(opsPort),
      },
      'edge-ingestion',
      { url: `http://127.0.0.1:${opsPort}/health/ready` },
    ).start();
    sink = await new ServiceProcess('sink', await freePort(), env(), 'edge-sink').start();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([ingestion?.kill(), sink?.kill()]);
    await new Promise((resolve) => jwks?.close(resolve));
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    await fx?.close();
  }, 60_000);

  // Bodies every later check would refuse, each with the status it gets once authenticated.
  const badBodies: Array<{ name: string; headers: Record<string, string>; body: string | Buffer; authenticated: number }> = [
    { name: 'invalid JSON', headers: { 'content-type': 'application/json' }, body: '{"type": "support.message", ', authenticated: 400 },
    { name: 'a wrong content type', headers: { 'content-type': 'text/plain' }, body: 'hello', authenticated: 415 },
    { name: 'a body over the limit', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(100_000) }), authenticated: 413 },
    { name: 'invalid UTF-8', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), authenticated: 400 },
    { name: 'a schema violation', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'support.message', source: 'x', customerId: 1 }), authenticated: 400 },
  ];
  const badCredentials: Array<[string, Record<string, string>]> = [
    ['no credentials', {}],
    ['an unknown bearer token', bearer('not-a-key-but-long-enough-0123456789')],
    ['a well-formed unknown Spine key', bearer(`spk_${'0'.repeat(12)}_${'A'.repeat(43)}`)],
    ['a malformed JWT', bearer('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')],
    ['Basic auth', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
    ['a wrong x-api-key', { 'x-api-key': 'x'.repeat(32) }],
  ];

  it('answers 401 before parsing, content-type or size checks and validation, and nothing reaches Kafka', async () => {
    const writer = await createKey(pool, schema, ['events:write']);
    const before = await highWatermarks(fx.admin, topics);
    for (const [credential, authHeaders] of badCredentials) {
      for (const bad of badBodies) {
        const answer = await call(events(), { method: 'POST', headers: { ...bad.headers, ...authHeaders }, body: bad.body });
        expect({ credential, body: bad.name, status: answer.status }).toEqual({ credential, body: bad.name, status: 401 });
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
        expect(answer.json.message).toEqual(expect.any(String));
      }
    }
    // The same bodies with a valid key get the later checks' answers: those checks exist, they just come after.
    for (const bad of badBodies) {
      const answer = await call(events(), { method: 'POST', headers: { ...bad.headers, ...bearer(writer.key) }, body: bad.body });
      expect({ body: bad.name, status: answer.status }).toEqual({ body: bad.name, status: bad.authenticated });
      await new Promise((r) => setTimeout(r, 500)); // stay inside this key's rate limit (2/s)
    }
    expect(await highWatermarks(fx.admin, topics)).toBe(before);
    const metrics = await call(`http://127.0.0.1:${opsPort}/metrics`);
    expect(metrics.text).toMatch(/spine_http_refused_total\{status="401",reason="unauthenticated"\} (\d+)/);
  });

  it('answers 403 to a credential without the route scope, before reading its body', async () => {
    const reader = await createKey(pool, schema, ['results:read']);
    const writer = await createKey(pool, schema, ['events:write']);
    const admin = await createKey(pool, schema, ['admin']);
    const before = await highWatermarks(fx.admin, topics);
    expect((await postJson(events(), supportMessage('c-scope'), bearer(reader.key))).status).toBe(403);
    expect((await postJson(events(), '{"not json', bearer(reader.key))).status).toBe(403);
    expect((await postJson(events(), supportMessage('c-scope'), bearer(admin.key))).status).toBe(403);
    const forbidden = await call(`${sink.url}/v1/results/${randomUUID()}`, { headers: bearer(writer.key) });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.message).toContain('results:read');
    expect((await call(`${sink.url}/v1/customers/c-scope`, { method: 'DELETE', headers: bearer(writer.key) })).status).toBe(403);
    expect((await call(`${sink.url}/v1/customers/c-scope`, { method: 'DELETE', headers: bearer(reader.key) })).status).toBe(403);
    // With the scope: through the guard to the handler.
    expect((await call(`${sink.url}/v1/results/${randomUUID()}`, { headers: bearer(reader.key) })).status).toBe(404);
    expect((await call(`${sink.url}/v1/customers/c-scope`, { method: 'DELETE', headers: bearer(admin.key) })).status).toBe(200);
    expect(await highWatermarks(fx.admin, topics)).toBe(before);
    expect((await postJson(events(), supportMessage('c-scope'), bearer(writer.key))).status).toBe(202);
    expect(await highWatermarks(fx.admin, topics)).toBe(before + 1);
  });

  it('limits each credential with a token bucket: 429 with Retry-After, refused requests never reach Kafka', async () => {
    const limited = await createKey(pool, schema, ['events:write']);
    const other = await createKey(pool, schema, ['events:write']);
    const before = await highWatermarks(fx.admin, topics);
    const answers = await Promise.all(Array.from({ length: 14 }, (_, i) => postJson(events(), supportMessage(`c-rate-${i}`), bearer(limited.key))));
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted.length + refused.length).toBe(14);
    expect(accepted.length).toBeGreaterThanOrEqual(6); // the burst
    expect(accepted.length).toBeLessThanOrEqual(8); // burst + what 2/s refills while they run
    for (const r of refused) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.json.message).toMatch(/rate limit of 2 requests\/s \(burst 6\)/);
    }
    expect(await highWatermarks(fx.admin, topics)).toBe(before + accepted.length);
    // Another credential has its own bucket; the limited one is served again after Retry-After.
    expect((await postJson(events(), supportMessage('c-rate-other'), bearer(other.key))).status).toBe(202);
    await new Promise((r) => setTimeout(r, Number(refused[0]!.headers.get('retry-after')) * 1000));
    expect((await postJson(events(), supportMessage('c-rate-again'), bearer(limited.key))).status).toBe(202);
  });

  it('creates, lists and revokes keys with spine-cli; a revoked key is refused within seconds; all of it audited', async () => {
    const cliEnv = { SPINE_DB_SCHEMA: schema, SPINE_ACTOR: 'alice@edge-test' };
    const bad = await runCli(['keys', 'create', '--name', 'crm', '--scopes', 'events:write,everything'], cliEnv);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('known scopes: events:write, results:read, admin');

    const created = await runCli(['keys', 'create', '--name', 'crm-prod', '--scopes', 'events:write,results:read', '--json'], cliEnv);
    expect(created.code).toBe(0);
    const { id, key, scopes } = JSON.parse(created.stdout) as { id: string; key: string; scopes: string[] };
    expect(key).toMatch(/^spk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(scopes).toEqual(['events:write', 'results:read']);
    const { rows } = await pool.query<{ key_hash: Buffer }>(`SELECT key_hash FROM "${schema}".api_keys WHERE id = $1`, [id]);
    expect(rows[0]!.key_hash).toHaveLength(32); // only the SHA-256 is stored
    expect((await postJson(events(), supportMessage('c-cli'), bearer(key))).status).toBe(202);
    expect((await call(`${sink.url}/v1/results/${randomUUID()}`, { headers: { 'x-api-key': key } })).status).toBe(404);

    const listed = await runCli(['keys', 'list', '--json'], cliEnv);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ id, name: 'crm-prod', scopes, revokedAt: null })]));
    expect(listed.stdout).not.toContain(key.slice(17));
    expect(listed.stdout).not.toMatch(/hash/i);

    const revoked = await runCli(['keys', 'revoke', id], cliEnv);
    expect(revoked.code).toBe(0);
    const revokedAt = Date.now();
    const refusal = await waitFor('the revoked key to be refused', async () => {
      const answer = await postJson(events(), supportMessage('c-cli'), bearer(key));
      return answer.status === 401 ? answer : undefined;
    }, 10_000, 200);
    expect(refusal.json.message).toBe('API key revoked');
    expect(Date.now() - revokedAt).toBeLessThan(3_000); // SPINE_API_KEY_CACHE_MS=1000 here (default 5000)
    expect((await runCli(['keys', 'revoke', 'ffffffffffff'], cliEnv)).code).toBe(1);

    const audit = await runCli(['audit', '--json', '--limit', '20'], cliEnv);
    const entries = JSON.parse(audit.stdout) as Array<{ action: string; target: string; actor: string; details: Record<string, unknown> }>;
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'api-key.create', target: id, actor: 'operator alice@edge-test', details: { name: 'crm-prod', scopes } }),
        expect.objectContaining({ action: 'api-key.revoke', target: id, actor: 'operator alice@edge-test' }),
      ]),
    );
    expect(audit.stdout).not.toContain(key.slice(17));
  });

  it('accepts JWTs from the JWKS with the scope in `scope` or `scp`, and refuses bad ones', async () => {
    const token = (claims: Record<string, unknown>, options: { audience?: string; expiresIn?: string | number; key?: CryptoKey } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience(options.audience ?? AUDIENCE)
        .setSubject(`svc-${randomUUID()}`) // a subject per token: its own rate-limit bucket
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.key ?? signingKey);
    expect((await postJson(events(), supportMessage('c-jwt'), bearer(await token({ scope: 'events:write results:read' })))).status).toBe(202);
    expect((await postJson(events(), supportMessage('c-jwt'), bearer(await token({ scp: ['events:write'] })))).status).toBe(202);
    expect((await postJson(events(), supportMessage('c-jwt'), bearer(await token({ scope: 'results:read' })))).status).toBe(403);
    const before = await highWatermarks(fx.admin, topics);
    const other = (await generateKeyPair('ES256')).privateKey;
    for (const bad of [
      await token({ scope: 'events:write' }, { audience: 'someone-else' }),
      await token({ scope: 'events:write' }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      await token({ scope: 'events:write' }, { key: other }),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'x', scope: 'events:write' })).toString('base64url')}.`,
    ]) {
      const answer = await postJson(events(), supportMessage('c-jwt'), bearer(bad));
      expect(answer.status).toBe(401);
      expect(answer.json.message).toMatch(/^invalid token/);
    }
    expect(await highWatermarks(fx.admin, topics)).toBe(before);
  });

  it('keeps SPINE_API_KEYS as full-scope bootstrap keys', async () => {
    expect((await postJson(events(), supportMessage('c-boot'), bearer(bootstrapKey))).status).toBe(202);
    expect((await call(`${sink.url}/v1/results/${randomUUID()}`, { headers: { 'x-api-key': bootstrapKey } })).status).toBe(404);
    expect((await call(`${sink.url}/v1/customers/c-boot`, { method: 'DELETE', headers: bearer(bootstrapKey) })).status).toBe(200);
  });

  it('serves the ops endpoints on SPINE_OPS_PORT only, when it is set', async () => {
    expect((await call(`${ingestion.url}/metrics`)).status).toBe(404);
    expect((await call(`${ingestion.url}/health/ready`)).status).toBe(404);
    const ready = await call(`http://127.0.0.1:${opsPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.json.broker).toEqual(expect.objectContaining({ healthy: true }));
    expect((await call(`http://127.0.0.1:${opsPort}/metrics`)).text).toContain('spine_process_');
    expect((await call(`${sink.url}/metrics`)).status).toBe(200); // default unchanged: the sink has no ops port
    // The API documents stay public and describe the edge.
    const openApi = await call(`${ingestion.url}/openapi.json`);
    expect(openApi.status).toBe(200);
    expect(Object.keys(openApi.json.paths['/v1/events'].post.responses).sort()).toEqual(['202', '400', '401', '403', '409', '413', '415', '422', '429', '503']);
    expect(openApi.text).toContain('Idempotency-Key');
  });
});
