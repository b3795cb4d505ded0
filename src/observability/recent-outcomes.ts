import { Ring } from '../core/ring.js';

/** How one job of the daemon ended. */
export interface Outcome {
  readonly pipeline: string;
  readonly path: string;
  readonly outcome: 'processed' | 'failed';
  readonly at: string;
  readonly durationMs?: number;
  readonly outputs: readonly string[];
  readonly code?: string;
}

/** Outcomes kept for search: the last thousand. */
export const outcomesKept = 1000;

/** The daemon's last 1,000 job outcomes, newest first (what the dashboard's search calls recent results). */
export class RecentOutcomes {
  readonly #ring = new Ring<Outcome>(outcomesKept);

  add(outcome: Outcome): void {
    this.#ring.push(outcome);
  }

  newestFirst(): Outcome[] {
    return this.#ring.newestFirst();
  }
}
