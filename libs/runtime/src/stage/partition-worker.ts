import type { KafkaMessage } from 'kafkajs';
import { KeyOrderedPool } from './key-ordered-pool.js';
import { OffsetTracker } from './offset-tracker.js';

/** What a worker needs from its stage: handle a record, commit, and pause/resume/rewind its partition. */
export interface PartitionWorkerHooks {
  /** Handles one record to the end (outputs or dead letter acknowledged). Throws only when it could do neither. */
  handle(message: KafkaMessage): Promise<void>;
  commit(nextOffset: string): Promise<void>;
  pause(): void;
  resume(): void;
  /** Called once when a record failed for good: redeliver the partition from `fromOffset`. */
  rewind(fromOffset: string, error: unknown): void;
  onCommitError(error: unknown): void;
}

export interface PartitionWorkerLimits {
  /** Records handled at once (different keys in parallel, one key in order). */
  readonly concurrency: number;
  /** Records accepted but not finished before the partition is paused; resumed at half. */
  readonly maxBacklog: number;
  /**
   * Least time between two commits of the partition (0: one per round trip). Closing or draining the worker
   * commits at once, so only a crash redoes more (at most this long's worth of finished records).
   */
  readonly commitIntervalMs?: number;
}

/**
 * One assigned partition's records, decoupled from kafkajs's fetch loop: fetching returns at once, so a
 * slow record never holds up other partitions, and heartbeats keep flowing. Memory stays bounded by
 * pausing the partition when its backlog is full (and resuming it at half). Offsets are committed as the
 * contiguous prefix of finished records grows.
 */
export class PartitionWorker {
  private readonly pool: KeyOrderedPool;
  private readonly tracker = new OffsetTracker();
  private backlog = 0;
  private paused = false;
  private failed = false;
  private closed = false;
  private commits: Promise<void> = Promise.resolve();
  private commitTarget: string | null = null;
  private committing = false;
  private lastCommitAt = 0;
  /** Closing or draining: the commit waiting out its interval goes now. */
  private flushRequested = false;
  private flushNow: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly hooks: PartitionWorkerHooks,
    private readonly limits: PartitionWorkerLimits,
    /** Work of an earlier owner of this partition (before a rebalance) that must finish first, to keep key order. */
    private readonly after: Promise<void> = Promise.resolve(),
  ) {
    this.pool = new KeyOrderedPool(limits.concurrency);
  }

  /** False once a record failed for good: the partition is being rewound and this worker takes nothing more. */
  get accepting(): boolean {
    return !this.failed && !this.closed;
  }

  get size(): number {
    return this.backlog;
  }

  enqueue(messages: readonly KafkaMessage[]): void {
    if (!this.accepting) return;
    this.tracker.track(messages.map((m) => m.offset));
    for (const message of messages) {
      this.backlog++;
      const key = message.key?.toString('base64') ?? `offset:${message.offset}`;
      this.pool
        .submit(key, async () => {
          await this.after;
          if (!this.accepting) return; // left uncommitted: it is fetched again
          await this.hooks.handle(message);
          this.tracker.complete(message.offset);
          this.commitProgress();
        })
        .catch((error: unknown) => this.fail(error))
        .finally(() => this.settled());
    }
    if (!this.paused && this.backlog >= this.limits.maxBacklog) {
      this.paused = true;
      this.hooks.pause();
    }
  }

  /** Stops starting records (those not started are fetched again by whoever owns the partition next). */
  close(): void {
    this.closed = true;
    this.flush();
  }

  /** Resolves when every accepted record has settled and their commits are sent (at once, not after the interval). */
  async idle(): Promise<void> {
    if (this.backlog > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.flush();
    await this.commits;
    if (!this.closed) this.flushRequested = false;
  }

  private flush(): void {
    this.flushRequested = true;
    this.flushNow?.();
  }

  /**
   * Commits coalesce like the producer's sends: while one commit is in flight (or waits out the interval since
   * the last), progress only moves the target, and the next commit carries the latest. At most one OffsetCommit
   * per round trip and per commitIntervalMs, not per record.
   */
  private commitProgress(): void {
    const next = this.tracker.advance();
    if (next === null) return;
    this.commitTarget = next;
    if (!this.committing) {
      this.committing = true;
      this.commits = this.sendCommits();
    }
  }

  private async sendCommits(): Promise<void> {
    try {
      while (this.commitTarget !== null) {
        const wait = this.lastCommitAt + (this.limits.commitIntervalMs ?? 0) - Date.now();
        if (wait > 0 && !this.flushRequested) await this.waitOrFlush(wait);
        const target = this.commitTarget;
        this.commitTarget = null;
        await this.hooks.commit(target).catch((error: unknown) => this.hooks.onCommitError(error));
        this.lastCommitAt = Date.now();
      }
    } finally {
      this.committing = false;
    }
  }

  private waitOrFlush(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.flushNow = undefined;
        resolve();
      }, ms);
      this.flushNow = () => {
        clearTimeout(timer);
        this.flushNow = undefined;
        resolve();
      };
    });
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    // Everything below the oldest unfinished record is done; redelivery restarts there.
    this.hooks.rewind(this.tracker.oldestPending ?? '0', error);
  }

  private settled(): void {
    this.backlog--;
    if (this.paused && this.accepting && this.backlog <= this.limits.maxBacklog / 2) {
      this.paused = false;
      this.hooks.resume();
    }
    if (this.backlog === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
