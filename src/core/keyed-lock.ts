import { abortReason, type WaitOptions } from './abort.js';
import type { Release } from './semaphore.js';
import { WaitList } from './waiters.js';

export interface KeyedLockOptions {
  /**
   * Most keys held at once. Acquiring a key not yet held while this many are waits (policy: callers wait, in call
   * order) until a key is freed. Waiting for a key already held needs no room: the waiter queues behind its holder.
   * @default 100_000
   */
  maxKeys?: number;
}

/** Map's key equality (SameValueZero), for matching keys outside the map. */
function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Per-key mutual exclusion: at most one holder per key, waiters served in call order per key. The table holds a key
 * exactly while someone holds it, so it never grows with the number of distinct keys ever used, and it is bounded by
 * `maxKeys`. An aborted waiter leaves its queue and takes nothing.
 */
export class KeyedLock<K = string> {
  readonly #maxKeys: number;
  // An entry exists exactly while its key is held; its list holds the waiters queued behind the holder.
  readonly #held = new Map<K, WaitList<Release>>();
  // Acquirers of keys not held while the table is full. Invariant: non-empty only while #held.size === #maxKeys,
  // and no key in it is held (same-key acquirers move to the key's own queue when it is admitted).
  readonly #admission = new WaitList<Release, K>();

  /** @throws RangeError unless `maxKeys` is an integer ≥ 1. */
  constructor({ maxKeys = 100_000 }: KeyedLockOptions = {}) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`KeyedLock maxKeys must be an integer >= 1, got ${maxKeys}`);
    }
    this.#maxKeys = maxKeys;
  }

  get maxKeys(): number {
    return this.#maxKeys;
  }

  /** Keys currently held (their waiters queue with them); back to 0 when idle, never above `maxKeys`. */
  get size(): number {
    return this.#held.size;
  }

  /** Acquirers waiting for the table to make room for their key. */
  get waitingForSlot(): number {
    return this.#admission.size;
  }

  isLocked(key: K): boolean {
    return this.#held.has(key);
  }

  /** Takes the lock on `key`, waiting for its holder and earlier waiters; rejects with `abortReason(signal)`. */
  acquire(key: K, { signal }: WaitOptions = {}): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const queue = this.#held.get(key);
    if (queue) return queue.wait(undefined, signal);
    if (this.#held.size < this.#maxKeys && this.#admission.size === 0) return Promise.resolve(this.#admit(key));
    return this.#admission.wait(key, signal);
  }

  /** Takes the lock on `key` if nobody holds it and the table has room (no waiting); undefined otherwise. */
  /**
   * Takes the locks of every key (duplicates once), in one sorted order, so two callers asking for overlapping sets
   * never deadlock; the returned release frees them all. On abort the keys taken so far are freed and it rejects.
   */
  async acquireAll(keys: Iterable<K>, options: WaitOptions = {}): Promise<Release> {
    const releases: Release[] = [];
    const freeAll = () => {
      for (const release of releases.splice(0)) release();
    };
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.acquire(key, options));
    } catch (err) {
      freeAll();
      throw err;
    }
    return freeAll;
  }

  tryAcquire(key: K): Release | undefined {
    if (this.#held.has(key) || this.#held.size >= this.#maxKeys || this.#admission.size > 0) return undefined;
    return this.#admit(key);
  }

  /** Runs `fn` holding the lock on `key`, released when `fn` settles. The signal covers the wait, not `fn`. */
  async run<T>(key: K, fn: () => T | PromiseLike<T>, options: WaitOptions = {}): Promise<T> {
    const release = await this.acquire(key, options);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #admit(key: K): Release {
    const queue = new WaitList<Release>();
    this.#held.set(key, queue);
    return this.#releaser(key, queue);
  }

  #releaser(key: K, queue: WaitList<Release>): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) return next.resolve(this.#releaser(key, queue));
      this.#held.delete(key);
      this.#admitWaiting();
    };
  }

  #admitWaiting(): void {
    while (this.#held.size < this.#maxKeys) {
      const first = this.#admission.shift();
      if (first === undefined) return;
      first.resolve(this.#admit(first.data));
      // Later acquirers of the same key now queue behind this holder, keeping their order.
      const queue = this.#held.get(first.data)!;
      for (const waiter of this.#admission.extract((key) => sameKey(key, first.data))) {
        waiter.resolve(queue.wait(undefined, waiter.signal));
      }
    }
  }
}
