/**
 * The last `capacity` items pushed: a fixed array written round. Policy when full: the oldest item is overwritten.
 * O(1) push; reads copy at most `capacity` items.
 */
export class Ring<T> {
  readonly #items: (T | undefined)[];
  // The next push goes to #next; the ring holds min(#count, capacity) items, the oldest at #next once it is full.
  #next = 0;
  #count = 0;

  /** @throws RangeError unless `capacity` is an integer ≥ 1. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Ring capacity must be an integer >= 1, got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return Math.min(this.#count, this.#items.length);
  }

  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.#items.length;
    this.#count += 1;
  }

  /** Every item held, newest first. */
  newestFirst(): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.size; i++) out.push(this.#items[(this.#next - i + this.#items.length) % this.#items.length] as T);
    return out;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#next = 0;
    this.#count = 0;
  }
}
