import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request a receiver got, with the raw body exactly as sent (what signatures cover). */
export interface Received {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly rawBody: string;
  readonly body: { type: string; resultTopic: string; eventId: string; entityKey: string | null; result: Record<string, unknown> };
  readonly receivedAt: number;
  readonly status: number;
}

/** A real webhook receiver on loopback: answers what `respond` says, records every request. */
export class Receiver {
  readonly requests: Received[] = [];
  private server: Server | undefined;
  port = 0;
  /** Answers this long after a request arrived (it is recorded on arrival). */
  delayMs = 0;

  constructor(private respond: (req: IncomingMessage) => number = () => 200) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/spine`;
  }

  /** Requests it answered 2xx: what it has "received". */
  get accepted(): Received[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  answer(respond: (req: IncomingMessage) => number): void {
    this.respond = respond;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const status = this.respond(req);
        const header = (name: string) => String(req.headers[name] ?? '');
        this.requests.push({ id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature'), rawBody, body: JSON.parse(rawBody), receivedAt: Date.now(), status });
        const reply = () => res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? 'receiver unavailable' : 'ok');
        if (this.delayMs) setTimeout(reply, this.delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Waits until `predicate` holds for what was accepted; fails naming what arrived. */
  async waitFor(predicate: (accepted: Received[]) => boolean, timeoutMs: number, what: string): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (predicate(this.accepted)) return this.accepted;
      await sleep(50);
    }
    throw new Error(`receiver on ${this.port}: ${what} not reached within ${timeoutMs} ms (${this.accepted.length} accepted, ${this.requests.length} requests)`);
  }
}
