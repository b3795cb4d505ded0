import { sleep } from '../core/abort.js';

/** How long a count of the queue's backlog is trusted before it is read again. */
const freshMs = 200;

/**
 * The bound of a shared queue's backlog: jobs waiting or delayed, cluster-wide. `wait()` resolves at once while the
 * backlog is below `limit` and otherwise polls until it is (policy when full: producers wait, as with the in-process
 * bounded queue, so a scan of a huge folder pauses instead of piling jobs into Redis). The count is read at most every
 * 200 ms, so it may overshoot by what is added in that time (bounded by the intake's settle capacity).
 */
export class QueueRoom {
  readonly #limit: number;
  readonly #backlog: () => Promise<number>;
  #known = 0;
  #at = 0;

  constructor(limit: number, backlog: () => Promise<number>) {
    this.#limit = limit;
    this.#backlog = backlog;
  }

  async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (Date.now() - this.#at >= freshMs) {
        this.#known = await this.#backlog();
        this.#at = Date.now();
      }
      if (this.#known < this.#limit) return;
      await sleep(freshMs, { signal });
    }
  }
}
