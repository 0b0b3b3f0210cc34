import { setTimeout as sleep } from 'node:timers/promises';

export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: Record<string, unknown>;
  readonly receivedAt: number;
}

/** A Server-Sent Events client over fetch (EventSource cannot send an Authorization header). */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  get lastEventId(): string | undefined {
    return this.events.at(-1)?.id;
  }

  /** Connects and reads in the background; resolves once the response headers are in. */
  async open(): Promise<this> {
    const response = await fetch(this.url, { headers: { accept: 'text/event-stream', ...this.headers }, signal: this.abort.signal });
    this.status = response.status;
    if (!response.ok || !response.body) return this;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    this.done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            this.frame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        // closed by us
      }
    })();
    return this;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  async waitFor(count: number, timeoutMs: number): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`SSE ${this.url}: ${this.events.length}/${count} events within ${timeoutMs} ms`);
      await sleep(25);
    }
    return this.events;
  }

  private frame(text: string): void {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) this.events.push({ id, event, data: JSON.parse(data.join('\n')), receivedAt: Date.now() });
  }
}
