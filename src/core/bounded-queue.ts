import { SluiceError } from '../errors.js';
import { abortReason, type WaitOptions } from './abort.js';
import { Fifo } from './fifo.js';
import { WaitList } from './waiters.js';

/** The code of the error `put` rejects with once the queue is closed, and `get` once it is closed and drained. */
export const QUEUE_CLOSED = 'QUEUE_CLOSED';

export function isQueueClosed(err: unknown): boolean {
  return err instanceof SluiceError && err.code === QUEUE_CLOSED;
}

function closedError(): SluiceError {
  return new SluiceError(QUEUE_CLOSED, 'the queue is closed', { kind: 'permanent' });
}

/**
 * A FIFO queue of at most `capacity` items, modelled on asyncio's `Queue(maxsize)`. When full, `put` waits (policy:
 * the producer waits; `tryPut` refuses instead) and waiting producers are admitted strictly in call order. An aborted
 * `put` leaves the wait list and its item is never enqueued; an item a waiter was handed is never lost.
 *
 * Completion tracking as in asyncio: every accepted item counts as unfinished (`pending`) until a consumer that got it
 * calls `taskDone()`; `join()` resolves when none is unfinished.
 *
 * `close()` refuses further puts (pending and future `put` reject with code QUEUE_CLOSED); `get` keeps draining what
 * is left, then rejects with QUEUE_CLOSED (see `isQueueClosed`).
 */
export class BoundedQueue<T> {
  readonly #capacity: number;
  readonly #items = new Fifo<T>();
  // Invariants: producers wait only while #items is full; consumers only while it is empty; never both at once.
  readonly #putters = new WaitList<void, T>();
  readonly #getters = new WaitList<T>();
  readonly #joiners = new WaitList<void>();
  // Items accepted and not yet marked done (in the queue or handed out), and those handed out and not yet done.
  #unfinished = 0;
  #handedOut = 0;
  #closed = false;

  /** @throws RangeError unless `capacity` is an integer ≥ 1. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`BoundedQueue capacity must be an integer >= 1, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Items in the queue, never more than `capacity`. */
  get size(): number {
    return this.#items.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Items accepted and not yet marked done with `taskDone()`. */
  get pending(): number {
    return this.#unfinished;
  }

  /**
   * Enqueues `item`, waiting while the queue is full or earlier producers still wait. Rejects with
   * `abortReason(signal)` if aborted first (the item is not enqueued) and with QUEUE_CLOSED if the queue is or gets
   * closed first.
   */
  put(item: T, { signal }: WaitOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.tryPut(item)) return Promise.resolve();
    return this.#putters.wait(item, signal);
  }

  /**
   * Enqueues `item` if that needs no wait; false when full or producers are waiting.
   * @throws SluiceError QUEUE_CLOSED once closed.
   */
  tryPut(item: T): boolean {
    if (this.#closed) throw closedError();
    if (this.#putters.size > 0 || this.#items.size >= this.#capacity) return false;
    this.#accept(item);
    return true;
  }

  /**
   * Takes the oldest item, waiting while the queue is empty. Rejects with `abortReason(signal)` if aborted first (an
   * already-aborted signal takes nothing) and with QUEUE_CLOSED once the queue is closed and empty.
   */
  get({ signal }: WaitOptions = {}): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#items.size > 0) return Promise.resolve(this.#take());
    if (this.#closed) return Promise.reject(closedError());
    return this.#getters.wait(undefined, signal);
  }

  /** Takes the oldest item if there is one, closed or not. */
  tryGet(): T | undefined {
    return this.#items.size > 0 ? this.#take() : undefined;
  }

  /**
   * Marks one item got from the queue as processed.
   * @throws SluiceError QUEUE_TASK_DONE when called more times than items were got.
   */
  taskDone(): void {
    if (this.#handedOut === 0) {
      throw new SluiceError('QUEUE_TASK_DONE', 'taskDone() called more times than items were taken from the queue');
    }
    this.#handedOut--;
    this.#unfinished--;
    if (this.#unfinished === 0) this.#joiners.resolveAll(undefined);
  }

  /** Resolves once every accepted item has been marked done (at once if none is pending). Closing does not resolve it. */
  join({ signal }: WaitOptions = {}): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#unfinished === 0) return Promise.resolve();
    return this.#joiners.wait(undefined, signal);
  }

  /** Refuses further puts and rejects the waiting ones; consumers drain what is left. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#putters.rejectAll(closedError);
    this.#getters.rejectAll(closedError); // consumers only wait on an empty queue: nothing is left for them
  }

  #accept(item: T): void {
    this.#unfinished++;
    const getter = this.#getters.shift();
    if (getter === undefined) return this.#items.push(item);
    this.#handedOut++;
    getter.resolve(item);
  }

  #take(): T {
    const item = this.#items.shift() as T;
    this.#handedOut++;
    const putter = this.#putters.shift();
    if (putter !== undefined) {
      this.#unfinished++;
      this.#items.push(putter.data);
      putter.resolve();
    }
    return item;
  }
}
