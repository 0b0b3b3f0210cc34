import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promisify } from 'node:util';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Address ranges a webhook may not target: loopback, private, link-local, shared and reserved space. */
const REFUSED_RANGES: ReadonlyArray<readonly [cidr: string, kind: string]> = [
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared (carrier-grade NAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignment'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b::/96', 'NAT64 (may reach private IPv4)'],
  ['64:ff9b:1::/48', 'NAT64 local use'],
  ['100::/64', 'discard'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4 (may embed private IPv4)'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
];

function subnetList(cidrs: readonly string[], what: string): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string | undefined];
    const family = isIP(address);
    if (!family || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) throw new Error(`${what}: "${cidr}" is not an address or CIDR range`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix ?? (family === 6 ? 128 : 32)), type);
  }
  return list;
}

const REFUSED = REFUSED_RANGES.map(([cidr, kind]) => ({ kind, list: subnetList([cidr], 'refused range') }));

/** A target URL the policy refuses; the message says why, for the API's 400 and the CLI. */
export class TargetUrlRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUrlRefusedError';
  }
}

type Resolve = (host: string) => Promise<readonly LookupAddress[]>;
const resolveAll: Resolve = (host) => promisify(dnsLookup)(host, { all: true, verbatim: true });

/**
 * Where webhooks may be sent: http(s) only, no credentials in the URL, and no host that resolves to a
 * loopback, private, link-local or otherwise non-public address — unless SPINE_WEBHOOKS_ALLOW_PRIVATE is
 * `true` (any) or lists the CIDR ranges allowed (e.g. `127.0.0.1/32`). Checked when a subscription is
 * created and again on every connection (`lookup`), so a name that later resolves elsewhere (DNS
 * rebinding) is refused too.
 */
export class TargetUrlPolicy {
  private readonly allowed: BlockList | 'any' | undefined;

  constructor(
    allowPrivate: boolean | readonly string[],
    private readonly resolve: Resolve = resolveAll,
  ) {
    this.allowed = allowPrivate === true ? 'any' : allowPrivate === false ? undefined : subnetList(allowPrivate, 'SPINE_WEBHOOKS_ALLOW_PRIVATE');
  }

  /** Why this address may not be targeted, or undefined when it may. */
  addressRefusal(address: string): string | undefined {
    const family = isIP(address);
    if (!family) return `${address} is not an IP address`;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (this.allowed === 'any' || this.allowed?.check(address, type)) return undefined;
    const hit = REFUSED.find((range) => range.list.check(address, type));
    return hit ? `${address} is a ${hit.kind} address` : undefined;
  }

  /** The URL, parsed, when a subscription may target it; otherwise throws TargetUrlRefusedError naming the reason. */
  async check(raw: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TargetUrlRefusedError(`"${raw}" is not an absolute URL (e.g. https://crm.example.com/hooks/spine)`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetUrlRefusedError(`only http and https URLs are allowed, not ${url.protocol.replace(/:$/, '')}`);
    if (url.username || url.password) throw new TargetUrlRefusedError('the URL may not carry credentials (user:password@); receivers verify the webhook-signature header instead');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await this.resolve(host).then(
      (found) => found.map((a) => a.address),
      (error: NodeJS.ErrnoException) => {
        throw new TargetUrlRefusedError(`host ${host} does not resolve (${error.code ?? error.message})`);
      },
    );
    if (!addresses.length) throw new TargetUrlRefusedError(`host ${host} does not resolve`);
    for (const address of addresses) {
      const refusal = this.addressRefusal(address);
      if (refusal) throw new TargetUrlRefusedError(`${host === address ? '' : `${host} resolves to `}${refusal}: webhooks may only target public addresses (SPINE_WEBHOOKS_ALLOW_PRIVATE allows others)`);
    }
    return url;
  }

  /** A `lookup` for http.request that refuses a connection to any address the policy refuses. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const refusal = addresses.map((a) => this.addressRefusal(a.address)).find(Boolean);
      if (refusal) return callback(Object.assign(new TargetUrlRefusedError(`${hostname} resolves to ${refusal}`), { code: 'EREFUSEDADDRESS' }), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
