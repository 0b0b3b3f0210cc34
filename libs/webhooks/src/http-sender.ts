import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { TargetUrlRefusedError, type TargetUrlPolicy } from './url-policy.js';

/** What one attempt got: the status (null when there was no response) and, for a failure, why. */
export interface AttemptOutcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string;
}

const KEEP_RESPONSE = 512;
const MAX_RESPONSE = 64 * 1024;

/**
 * POSTs webhook bodies with node:http(s): a timeout over the whole exchange, no redirects (a 3xx is a
 * failure: following one could lead to a private address), kept-alive connections, and every connection's
 * address checked by the URL policy (so DNS rebinding cannot reach a refused range).
 */
export class HttpSender {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  constructor(
    private readonly policy: TargetUrlPolicy,
    private readonly timeoutMs: number,
  ) {}

  async post(target: string, headers: Record<string, string>, body: string): Promise<AttemptOutcome> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return { ok: false, status: null, error: `invalid URL ${target}` };
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const refusal = isIP(host) ? this.policy.addressRefusal(host) : undefined;
    if (refusal) return { ok: false, status: null, error: `refused: ${refusal}` };
    const transport = url.protocol === 'https:' ? https : http;
    const agent = this.agents[url.protocol as 'http:' | 'https:'];
    if (!agent) return { ok: false, status: null, error: `unsupported protocol ${url.protocol}` };
    return new Promise<AttemptOutcome>((resolve) => {
      const request = transport.request(
        url,
        {
          method: 'POST',
          agent,
          lookup: this.policy.lookup,
          signal: AbortSignal.timeout(this.timeoutMs),
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Spine-Webhooks/1' },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= KEEP_RESPONSE) chunks.push(chunk);
            if (size > MAX_RESPONSE) response.destroy(); // a receiver answering megabytes is not read to the end
          });
          const done = () => {
            const ok = status >= 200 && status < 300;
            const text = Buffer.concat(chunks).toString('utf8').slice(0, KEEP_RESPONSE).trim();
            resolve({ ok, status, error: ok ? '' : `HTTP ${status}${text ? `: ${text}` : ''}` });
          };
          response.on('end', done);
          response.on('close', done); // destroyed early, or the connection dropped mid-body
          response.on('error', () => undefined);
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        const reason =
          error.name === 'TimeoutError' || error.name === 'AbortError'
            ? `no response within ${this.timeoutMs} ms`
            : error instanceof TargetUrlRefusedError
              ? `refused: ${error.message}`
              : `${error.code ?? error.name}: ${error.message}`;
        resolve({ ok: false, status: null, error: reason });
      });
      request.end(body);
    });
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
