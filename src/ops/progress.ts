import type { EngineEvent } from '../observability/events.js';

/** Where a one-shot run stands. */
export interface ProgressSnapshot {
  /** Files discovered so far (distinct pipeline/input pairs); grows while the scan runs. */
  readonly total: number;
  /** Files finished: processed, unchanged, failed, skipped or disposed of. */
  readonly done: number;
  readonly failed: number;
  /** Whether the start-up scan of every pipeline is over, so `total` is final. */
  readonly scanned: boolean;
  readonly elapsedMs: number;
  /** Files finished per second since the run started. */
  readonly ratePerSec: number;
  /** Estimated time left at the current rate; null until something finished. */
  readonly etaMs: number | null;
}

const finishing = new Set<EngineEvent['type']>(['processed', 'unchanged', 'failed', 'skipped', 'aborted', 'disposed']);

/**
 * Counts a run's progress from engine events. Like the run report, it holds one key per input of the run (the run is
 * bounded by what its scan found).
 */
export class ProgressTracker {
  readonly #seen = new Set<string>();
  readonly #done = new Set<string>();
  readonly #failed = new Set<string>();
  readonly #started = Date.now();
  readonly #pipelines: number;
  #scansDone = 0;

  /** `pipelines`: how many start-up scans must report before the total is final. */
  constructor(pipelines: number) {
    this.#pipelines = pipelines;
  }

  readonly listener = (e: EngineEvent): void => {
    if (e.type === 'scan-done') {
      this.#scansDone += 1;
      return;
    }
    if (!('path' in e) || !('pipeline' in e) || e.path === undefined) return;
    const key = `${e.pipeline}\0${e.path}`;
    if (e.type === 'seen') this.#seen.add(key);
    else if (finishing.has(e.type) && this.#seen.has(key)) {
      this.#done.add(key);
      if (e.type === 'failed') this.#failed.add(key);
      else if (e.type === 'processed' || e.type === 'unchanged') this.#failed.delete(key);
    }
  };

  snapshot(now = Date.now()): ProgressSnapshot {
    const elapsedMs = Math.max(0, now - this.#started);
    const done = this.#done.size;
    const total = this.#seen.size;
    const ratePerSec = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const etaMs = ratePerSec > 0 ? Math.round(((total - done) / ratePerSec) * 1000) : null;
    return { total, done, failed: this.#failed.size, scanned: this.#scansDone >= this.#pipelines, elapsedMs, ratePerSec, etaMs };
  }
}

/** `93 s` → `1m33s`; null → `?`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
