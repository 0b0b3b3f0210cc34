import type { Log } from '../middleware/index.js';

/** How often a stage that has not joined its group yet says which step it waits on. */
const REPORT_EVERY_MS = 15_000;

/**
 * Which step of its start a stage is at (resolving topics, connecting, joining its group …), reported in
 * /health/ready and logged every 15 s until the stage joins, so a service that never becomes ready says
 * what it waits for instead of going quiet.
 */
export class StartProgress {
  private current: string | undefined;
  private startedAt = 0;
  private stepSince = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The pending step logs its own progress (waiting for Kafka does, per attempt): no periodic report. */
  private quiet = false;

  constructor(
    private readonly stage: string,
    private readonly log: Log,
    private readonly everyMs = REPORT_EVERY_MS,
  ) {}

  /** The step now pending (null once joined or stopped). */
  get step(): string | null {
    return this.current ?? null;
  }

  /** Enters a step; the first one starts the periodic report (`quiet`: this step reports itself). */
  at(step: string, { quiet = false }: { quiet?: boolean } = {}): void {
    this.quiet = quiet;
    const now = Date.now();
    if (this.current === undefined) {
      this.startedAt = now;
      this.timer = setInterval(() => this.report(), this.everyMs);
      this.timer.unref();
    }
    this.current = step;
    this.stepSince = now;
  }

  /** Started (joined), failed or stopped: nothing pending any more. */
  done(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.current = undefined;
  }

  /** Something happened while starting that explains a wait (a request that timed out, a retried step). */
  note(message: string, fields: Record<string, unknown>): void {
    if (this.current !== undefined) this.log('warn', message, { stage: this.stage, step: this.current, ...fields });
  }

  private report(): void {
    if (this.current === undefined || this.quiet) return;
    const now = Date.now();
    this.log('warn', 'stage still starting', { stage: this.stage, step: this.current, stepMs: now - this.stepSince, startingMs: now - this.startedAt });
  }
}
