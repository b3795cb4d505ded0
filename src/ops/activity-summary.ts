import type { EngineEvent, EventBus } from '../observability/events.js';

/** What happened since the last summary. */
export interface Activity {
  readonly processed: number;
  readonly unchanged: number;
  readonly failed: number;
  /** How long the period was. */
  readonly periodMs: number;
}

/**
 * Counts outcomes and reports them every `intervalMs` through `report`, only when something happened (an idle service
 * stays quiet). Counters, not lists: bounded however busy the service is. close() stops it; idempotent.
 */
export class ActivitySummary {
  readonly #report: (activity: Activity) => void;
  readonly #unsubscribe: () => void;
  readonly #timer: NodeJS.Timeout;
  #counts = { processed: 0, unchanged: 0, failed: 0 };
  #since = Date.now();

  constructor(events: EventBus, intervalMs: number, report: (activity: Activity) => void) {
    this.#report = report;
    this.#unsubscribe = events.on((e: EngineEvent) => {
      if (e.type === 'processed' || e.type === 'unchanged' || e.type === 'failed') this.#counts[e.type] += 1;
    });
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    this.#timer.unref();
  }

  #tick(): void {
    const now = Date.now();
    const counts = this.#counts;
    if (counts.processed + counts.unchanged + counts.failed === 0) {
      this.#since = now;
      return;
    }
    this.#counts = { processed: 0, unchanged: 0, failed: 0 };
    const periodMs = now - this.#since;
    this.#since = now;
    this.#report({ ...counts, periodMs });
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
  }
}
