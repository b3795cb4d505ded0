/** Minutes kept per pipeline: the dashboard's sparkline spans an hour. */
export const minutesKept = 60;

interface Series { processed: number[]; failed: number[]; minute: number }

/**
 * Per-minute counts of processed and failed files per pipeline over the last hour: a ring of 60 buckets each, moved on
 * by the clock when read or written. Bounded: 2 × 60 numbers per configured pipeline.
 */
export class MinuteCounts {
  readonly #series = new Map<string, Series>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Keeps the series of `names` (a reload): new pipelines start at zero, removed ones are dropped. */
  reconfigure(names: readonly string[]): void {
    for (const name of this.#series.keys()) if (!names.includes(name)) this.#series.delete(name);
    const minute = this.#minute();
    for (const name of names) {
      if (!this.#series.has(name)) this.#series.set(name, { processed: zeros(), failed: zeros(), minute });
    }
  }

  count(pipeline: string, what: 'processed' | 'failed'): void {
    const s = this.#current(pipeline);
    if (s) s[what][minutesKept - 1]! += 1;
  }

  /** The last 60 minutes of a pipeline, oldest first, the last entry this minute so far. */
  read(pipeline: string): { processed: number[]; failed: number[] } {
    const s = this.#current(pipeline);
    return s ? { processed: [...s.processed], failed: [...s.failed] } : { processed: zeros(), failed: zeros() };
  }

  #current(pipeline: string): Series | undefined {
    const s = this.#series.get(pipeline);
    if (!s) return undefined;
    const minute = this.#minute();
    const shift = Math.min(minutesKept, Math.max(0, minute - s.minute));
    if (shift > 0) {
      s.processed = [...s.processed.slice(shift), ...new Array<number>(shift).fill(0)];
      s.failed = [...s.failed.slice(shift), ...new Array<number>(shift).fill(0)];
      s.minute = minute;
    }
    return s;
  }

  #minute(): number {
    return Math.floor(this.#now() / 60_000);
  }
}

function zeros(): number[] {
  return new Array<number>(minutesKept).fill(0);
}
