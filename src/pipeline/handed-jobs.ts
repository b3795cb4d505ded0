import type { BoundedQueue } from '../core/bounded-queue.js';
import type { Job, JobOutcome } from './job.js';

/**
 * Jobs handed to the engine by a shared queue (cluster mode), each with a caller waiting for its outcome. Bounded by
 * the callers: the shared queue's worker concurrency.
 */
export class HandedJobs {
  readonly #waiters = new Map<Job, (outcome: JobOutcome) => void>();

  /** Puts `job` on `queue` (waiting while it is full) and resolves with its outcome; `aborted` if it is dropped. */
  async run(job: Job, queue: BoundedQueue<Job>, signal: AbortSignal): Promise<JobOutcome> {
    const outcome = new Promise<JobOutcome>((resolve) => this.#waiters.set(job, resolve));
    try {
      await queue.put(job, { signal });
    } catch {
      this.abandon(job);
    }
    return outcome;
  }

  /** Tells the caller of a handed job its outcome; false when `job` is not one of them (the intake's). */
  settle(job: Job, outcome: JobOutcome): boolean {
    const waiter = this.#waiters.get(job);
    if (!waiter) return false;
    this.#waiters.delete(job);
    waiter(outcome);
    return true;
  }

  /** A handed job that will not run: its caller hears `aborted`. */
  abandon(job: Job): void {
    this.settle(job, { type: 'aborted' });
  }

  /** Every handed job still waiting hears `aborted`. */
  abandonAll(): void {
    for (const job of [...this.#waiters.keys()]) this.abandon(job);
  }
}
