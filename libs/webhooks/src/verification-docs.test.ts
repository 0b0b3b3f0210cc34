import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { newSigningSecret, signedHeaders } from './signer.js';

// The verification methods documented in libs/webhooks/README.md, run as documented: the Python snippet
// is taken from the README itself, so the documentation cannot drift from what the service signs.
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const pythonSnippet = /```python\n([\s\S]*?)```/.exec(readme)?.[1];

function pythonVerifies(secret: string, headers: Record<string, string>, body: string): boolean {
  const driver = `${pythonSnippet}\nimport json, sys\nd = json.load(sys.stdin)\nsys.exit(0 if verify(d["secret"], d["headers"], d["body"].encode()) else 1)\n`;
  const run = spawnSync('python3', ['-c', driver], { input: JSON.stringify({ secret, headers, body }), encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`python3 failed (status ${run.status}): ${run.stderr}`);
  return run.status === 0;
}

describe('Standard Webhooks signatures, verified as the README documents', () => {
  const secret = newSigningSecret();
  const body = JSON.stringify({ type: 'ai.result', resultTopic: 'spine.ai.support-triage.v1', eventId: 'e-1', entityKey: 'cust-ü', result: { priority: 'P1', note: 'naïve "quoted"' } });
  const headers = signedHeaders(secret, 'delivery-1', new Date(), body);

  it('signs with a whsec_ secret of 32 random bytes, v1 HMAC-SHA256 over id.timestamp.body', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(headers['webhook-id']).toBe('delivery-1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('verifies with the standardwebhooks library (Node) and fails on any tampering', () => {
    const wh = new Webhook(secret);
    expect(wh.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => wh.verify(body.replace('P1', 'P4'), headers)).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'delivery-2' })).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
    const old = signedHeaders(secret, 'delivery-1', new Date(Date.now() - 10 * 60_000), body);
    expect(() => wh.verify(body, old)).toThrow(/too old/);
  });

  it('verifies with the README\'s plain-Python hmac snippet and fails on any tampering', () => {
    expect(pythonSnippet).toContain('def verify(');
    expect(pythonVerifies(secret, headers, body)).toBe(true);
    expect(pythonVerifies(secret, headers, body.replace('P1', 'P4'))).toBe(false);
    expect(pythonVerifies(secret, { ...headers, 'webhook-id': 'delivery-2' }, body)).toBe(false);
    expect(pythonVerifies(newSigningSecret(), headers, body)).toBe(false);
    expect(pythonVerifies(secret, signedHeaders(secret, 'delivery-1', new Date(Date.now() - 10 * 60_000), body), body)).toBe(false);
  });
});
