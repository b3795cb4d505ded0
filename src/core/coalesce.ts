/** What `CoalescingSet.add` did with a key. */
export type CoalesceResult = 'added' | 'merged' | 'full';

/**
 * A bounded set of pending keys, taken oldest first: watch events for the same path coalesce into one pending entry.
 *
 * Policy when full: a key already pending still merges (it keeps its place in line); a new key is refused with
 * `'full'` and not stored, and the caller must fall back to something that does not need it (a rescan), since the
 * event is otherwise lost.
 */
export class CoalescingSet<K> {
  readonly #capacity: number;
  // A Set keeps insertion order, so its first key is the one pending longest.
  readonly #keys = new Set<K>();

  /** @throws RangeError unless `capacity` is an integer ≥ 1. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`CoalescingSet capacity must be an integer >= 1, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get capacity(): number {
    return this.#capacity;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Marks `key` pending: `'merged'` if it already was, `'full'` (nothing stored) if it is new and there is no room. */
  add(key: K): CoalesceResult {
    if (this.#keys.has(key)) return 'merged';
    if (this.#keys.size >= this.#capacity) return 'full';
    this.#keys.add(key);
    return 'added';
  }

  /** Removes and returns the key pending longest. */
  take(): K | undefined {
    const first = this.#keys.values().next();
    if (first.done) return undefined;
    this.#keys.delete(first.value);
    return first.value;
  }

  has(key: K): boolean {
    return this.#keys.has(key);
  }

  /** Forgets `key`; true if it was pending. */
  delete(key: K): boolean {
    return this.#keys.delete(key);
  }

  clear(): void {
    this.#keys.clear();
  }
}
