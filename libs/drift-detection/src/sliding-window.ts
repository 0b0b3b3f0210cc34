/** The last `capacity` values (a ring buffer); order is not kept, which a distribution does not need. */
export class SlidingWindow<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`SlidingWindow: capacity must be a positive integer, got ${capacity}`);
  }

  push(value: T): void {
    if (this.items.length < this.capacity) this.items.push(value);
    else this.items[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length === this.capacity;
  }

  /** The values held now (a live view: do not keep it across pushes). */
  values(): readonly T[] {
    return this.items;
  }
}
