import { abortReason, type WaitOptions } from './abort.js';
import { WaitList } from './waiters.js';

/** Gives back what was acquired. Idempotent: only the first call has an effect. */
export type Release = () => void;

/**
 * A counting semaphore with FIFO fairness (async-mutex's Semaphore, asyncio's Semaphore): `acquire` takes one of
 * `permits` or waits, and waiters are served strictly in call order; a newcomer never overtakes a waiter. An aborted
 * waiter leaves the queue and takes nothing.
 */
export class Semaphore {
  readonly #permits: number;
  // Invariant: #waiters is non-empty only while #available is 0; a release hands its permit straight to the oldest.
  #available: number;
  readonly #waiters = new WaitList<Release>();

  /** @throws RangeError unless `permits` is an integer ≥ 1. */
  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new RangeError(`Semaphore permits must be an integer >= 1, got ${permits}`);
    }
    this.#permits = permits;
    this.#available = permits;
  }

  get permits(): number {
    return this.#permits;
  }

  /** Permits free right now. */
  get available(): number {
    return this.#available;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Takes a permit, waiting for one; rejects with `abortReason(signal)` if aborted first. */
  acquire({ signal }: WaitOptions = {}): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const release = this.tryAcquire();
    return release ? Promise.resolve(release) : this.#waiters.wait(undefined, signal);
  }

  /** Takes a permit if one is free and nobody waits. */
  tryAcquire(): Release | undefined {
    if (this.#available === 0 || this.#waiters.size > 0) return undefined;
    this.#available--;
    return this.#releaser();
  }

  /** Runs `fn` holding a permit, released when `fn` settles. The signal covers the wait, not `fn`. */
  async run<T>(fn: () => T | PromiseLike<T>, options: WaitOptions = {}): Promise<T> {
    const release = await this.acquire(options);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next.resolve(this.#releaser());
      else this.#available++;
    };
  }
}
