import type { LookupAddress } from 'node:dns';
import { TargetUrlPolicy } from './url-policy.js';

// A resolver answering from a table, so "a public name that resolves to a private address" is testable
// without the network; the last test uses the machine's real resolver (localhost from /etc/hosts).
const table: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'internal.example.com': ['10.1.2.3'],
  'metadata.example.com': ['169.254.169.254'],
  'mixed.example.com': ['93.184.215.14', '192.168.1.20'],
};
const resolve = async (host: string): Promise<LookupAddress[]> => {
  const found = table[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('TargetUrlPolicy', () => {
  const strict = new TargetUrlPolicy(false, resolve);

  it('accepts http(s) URLs whose host resolves to public addresses only', async () => {
    await expect(strict.check('https://hooks.example.com/spine?x=1')).resolves.toBeInstanceOf(URL);
    await expect(strict.check('http://93.184.215.14:8080/hook')).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['ftp://hooks.example.com/x', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    ['hooks.example.com/x', /not an absolute URL/],
    ['https://user:secret@hooks.example.com/x', /credentials/],
    ['https://token@hooks.example.com/x', /credentials/],
    ['http://127.0.0.1:9000/x', /127\.0\.0\.1 is a loopback address/],
    ['http://127.0.0.2/x', /loopback/],
    ['http://10.0.0.5/x', /private/],
    ['http://172.20.1.1/x', /private/],
    ['http://192.168.0.10/x', /private/],
    ['http://169.254.169.254/latest/meta-data', /link-local/],
    ['http://100.64.1.1/x', /shared/],
    ['http://0.0.0.0/x', /unspecified/],
    ['http://[::1]/x', /::1 is a loopback address/],
    ['http://[fd00::1]/x', /unique local/],
    ['http://[fe80::1]/x', /link-local/],
    ['http://[::ffff:10.0.0.1]/x', /private/],
    ['http://224.0.0.1/x', /multicast/],
    ['https://internal.example.com/x', /internal\.example\.com resolves to 10\.1\.2\.3 is a private address/],
    ['https://metadata.example.com/x', /link-local/],
    ['https://mixed.example.com/x', /192\.168\.1\.20/],
    ['https://nowhere.example.com/x', /does not resolve \(ENOTFOUND\)/],
  ])('refuses %s', async (url, reason) => {
    await expect(strict.check(url)).rejects.toThrow(reason);
  });

  it('allows private targets with SPINE_WEBHOOKS_ALLOW_PRIVATE=true, and only the listed ranges with CIDRs', async () => {
    const any = new TargetUrlPolicy(true, resolve);
    await expect(any.check('http://10.0.0.5/x')).resolves.toBeInstanceOf(URL);
    await expect(any.check('https://user:pw@10.0.0.5/x')).rejects.toThrow(/credentials/); // the rest still applies
    const loopbackOnly = new TargetUrlPolicy(['127.0.0.1/32', '::1/128'], resolve);
    await expect(loopbackOnly.check('http://127.0.0.1:9/x')).resolves.toBeInstanceOf(URL);
    await expect(loopbackOnly.check('http://[::1]:9/x')).resolves.toBeInstanceOf(URL);
    await expect(loopbackOnly.check('http://127.0.0.2/x')).rejects.toThrow(/loopback/);
    await expect(loopbackOnly.check('http://10.0.0.5/x')).rejects.toThrow(/private/);
    expect(() => new TargetUrlPolicy(['not-a-cidr'])).toThrow(/SPINE_WEBHOOKS_ALLOW_PRIVATE: "not-a-cidr"/);
  });

  it('refuses, at connection time, a name that resolves to a refused address (DNS rebinding)', async () => {
    const lookup = (policy: TargetUrlPolicy, all: boolean) =>
      new Promise<unknown>((resolvePromise, reject) =>
        policy.lookup('localhost', { all, family: 4 }, (error: Error | null, address: unknown) => (error ? reject(error) : resolvePromise(address))),
      );
    await expect(lookup(new TargetUrlPolicy(false), false)).rejects.toThrow(/localhost resolves to 127\.0\.0\.1 is a loopback address/);
    await expect(lookup(new TargetUrlPolicy(['127.0.0.1/32']), false)).resolves.toBe('127.0.0.1');
    await expect(lookup(new TargetUrlPolicy(['127.0.0.1/32']), true)).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});
