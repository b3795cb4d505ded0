import type { Release, Semaphore } from '../core/semaphore.js';

/**
 * A job's place among the jobs past its pipeline's queue (which bounds the jobs in stages or in a retry backoff). It is
 * handed off while the job waits for a group commit, which bounds its own waiters, so a full batch never keeps the
 * stages from the next files; a retry takes a place back first. Every call is safe to repeat.
 */
export class Slot {
  readonly #slots: Semaphore;
  #release: Release | null;

  constructor(slots: Semaphore, release: Release) {
    this.#slots = slots;
    this.#release = release;
  }

  /** Gives the place up (the job is past its stages). */
  handOff(): void {
    this.#release?.();
    this.#release = null;
  }

  /** Takes a place again, waiting for one, unless it still holds one. */
  async reclaim(signal: AbortSignal): Promise<void> {
    if (this.#release === null) this.#release = await this.#slots.acquire({ signal });
  }

  /** Gives the place up for good (the job is over). */
  release(): void {
    this.handOff();
  }
}
