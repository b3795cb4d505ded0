/**
 * A first-in-first-out buffer with O(1) `push` and `shift`: a power-of-two ring that doubles when full. It never
 * shrinks, so its memory is bounded by the most items it ever held at once, and it keeps no reference to a removed
 * item.
 */
export class Fifo<T> {
  #ring: (T | undefined)[] = new Array<T | undefined>(8);
  // The oldest item sits at #head; the next push goes to (#head + #size) mod length.
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#size) & (this.#ring.length - 1)] = item;
    this.#size++;
  }

  /** Removes and returns the oldest item; `undefined` when empty (check `size` if T admits undefined). */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#ring.length - 1);
    this.#size--;
    return item;
  }

  #grow(): void {
    const old = this.#ring;
    const ring = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#size; i++) ring[i] = old[(this.#head + i) & (old.length - 1)];
    this.#ring = ring;
    this.#head = 0;
  }
}
