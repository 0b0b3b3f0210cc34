/**
 * Tracks which offsets of a batch are done and yields the highest offset below which everything is
 * done: the only safe commit point when records finish out of order.
 */
export class OffsetTracker {
  private readonly pending: bigint[];
  private readonly done = new Set<bigint>();
  private index = 0;

  constructor(offsets: readonly string[]) {
    this.pending = offsets.map((o) => BigInt(o));
  }

  complete(offset: string): void {
    this.done.add(BigInt(offset));
  }

  /** Next offset to commit (last contiguous done + 1), or null when nothing new is contiguous. */
  advance(): string | null {
    let advanced = false;
    while (this.index < this.pending.length && this.done.has(this.pending[this.index]!)) {
      this.done.delete(this.pending[this.index]!);
      this.index++;
      advanced = true;
    }
    return advanced ? (this.pending[this.index - 1]! + 1n).toString() : null;
  }
}
