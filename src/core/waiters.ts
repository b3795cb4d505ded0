import { abortReason } from './abort.js';

/** A waiter taken off a WaitList. Its abort listener is already removed: settling it can no longer race an abort. */
export interface Waiter<T, D> {
  readonly data: D;
  readonly signal: AbortSignal | undefined;
  resolve(value: T | PromiseLike<T>): void;
  reject(reason: unknown): void;
}

interface Entry<T, D> extends Waiter<T, D> {
  onAbort?: () => void;
}

/**
 * A FIFO list of parked promises, the building block of every wait in core. Each waiter carries `data` (an item to
 * enqueue, a key…) and may carry an AbortSignal: if it fires first, the waiter leaves the list and rejects with
 * `abortReason(signal)`. A waiter taken off the list (`shift`, `extract`) belongs to the caller, who must settle it.
 * The list is as long as the callers waiting on it: it is bounded by their own concurrency.
 */
export class WaitList<T, D = undefined> {
  // A Set iterates in insertion order and deletes in O(1), wherever the aborted waiter sits.
  readonly #entries = new Set<Entry<T, D>>();

  get size(): number {
    return this.#entries.size;
  }

  /** Parks a waiter; an already-aborted signal rejects at once without parking. */
  wait(data: D, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const entry: Entry<T, D> = { data, signal, resolve, reject };
      if (signal) {
        entry.onAbort = () => {
          this.#entries.delete(entry);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#entries.add(entry);
    });
  }

  /** Takes the oldest waiter, or undefined when none waits. */
  shift(): Waiter<T, D> | undefined {
    const first = this.#entries.values().next();
    return first.done ? undefined : this.#detach(first.value);
  }

  /** Takes every waiter whose data matches, oldest first. O(size). */
  extract(match: (data: D) => boolean): Waiter<T, D>[] {
    return [...this.#entries].filter((entry) => match(entry.data)).map((entry) => this.#detach(entry));
  }

  resolveAll(value: T): void {
    for (const entry of [...this.#entries]) this.#detach(entry).resolve(value);
  }

  /** Rejects every waiter, each with its own error from `reason()`. */
  rejectAll(reason: () => Error): void {
    for (const entry of [...this.#entries]) this.#detach(entry).reject(reason());
  }

  #detach(entry: Entry<T, D>): Waiter<T, D> {
    this.#entries.delete(entry);
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    return entry;
  }
}
