/**
 * Tracks which offsets of a partition are done and yields the highest offset below which everything is
 * done: the only safe commit point when records finish out of order.
 */
export class OffsetTracker {
  private readonly pending: bigint[] = [];
  private readonly done = new Set<bigint>();
  private index = 0;

  constructor(offsets: readonly string[] = []) {
    this.track(offsets);
  }

  /** Adds offsets (ascending, after those already tracked) that are now in flight. */
  track(offsets: readonly string[]): void {
    for (const offset of offsets) this.pending.push(BigInt(offset));
  }

  complete(offset: string): void {
    this.done.add(BigInt(offset));
  }

  /** The oldest offset not yet done (where a redelivery must restart), or null when all are done. */
  get oldestPending(): string | null {
    const next = this.pending[this.index];
    return next === undefined ? null : next.toString();
  }

  /** Next offset to commit (last contiguous done + 1), or null when nothing new is contiguous. */
  advance(): string | null {
    let advanced = false;
    while (this.index < this.pending.length && this.done.has(this.pending[this.index]!)) {
      this.done.delete(this.pending[this.index]!);
      this.index++;
      advanced = true;
    }
    if (this.index > 1024) {
      // Forget what is committed so a long-lived partition does not grow this array forever.
      this.pending.splice(0, this.index - 1);
      this.index = 1;
    }
    return advanced ? (this.pending[this.index - 1]! + 1n).toString() : null;
  }
}
