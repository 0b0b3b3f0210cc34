import type { ServerResponse } from 'node:http';

/**
 * Server-Sent Events onto one response without unbounded buffering: when the socket's buffer is full
 * (`write` returns false), the next event waits for 'drain'; a client that stays stalled past
 * `stallTimeoutMs` is disconnected (it resumes from its last event id when it reconnects). Heartbeat
 * comments are skipped while the client is behind.
 */
export class SseWriter {
  constructor(
    private readonly res: ServerResponse,
    private readonly stallTimeoutMs: number,
  ) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** True while the client has not taken what was written (it is read from the store again, not queued). */
  get behind(): boolean {
    return this.res.writableNeedDrain;
  }

  /** Writes one event; resolves false when the client is gone (or was dropped for stalling). */
  async event(event: { id?: string; event?: string; data: string }): Promise<boolean> {
    if (this.closed) return false;
    let frame = '';
    if (event.id !== undefined) frame += `id: ${event.id}\n`;
    if (event.event !== undefined) frame += `event: ${event.event}\n`;
    for (const line of event.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
    if (this.res.write(`${frame}\n`)) return true;
    return this.drained();
  }

  /** A comment line (heartbeat); dropped when the client is behind or gone. */
  comment(text: string): void {
    if (!this.closed && !this.behind) this.res.write(`: ${text}\n\n`);
  }

  private drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => finish(true);
      const onClose = () => finish(false);
      const timer = setTimeout(() => {
        this.res.destroy(new Error(`client took nothing for ${this.stallTimeoutMs} ms`));
        finish(false);
      }, this.stallTimeoutMs);
      this.res.on('drain', onDrain);
      this.res.on('close', onClose);
    });
  }
}
