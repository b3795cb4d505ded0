import type { EngineEvent } from './events.js';
import { FileTimelines } from './file-timelines.js';
import { MarkerWaits } from './marker-waits.js';
import { MinuteCounts } from './minute-counts.js';
import { RecentOutcomes } from './recent-outcomes.js';
import { RecentProblems } from './recent-problems.js';

/** The events that change the pending list. */
const pendingSteps: ReadonlySet<EngineEvent['type']> = new Set(['seen', 'settling', 'queued', 'started', 'skipped', 'aborted']);

/** Counters that move when a list changed: a page showing that list fetches it again. */
export interface Revisions {
  readonly pending: number;
  readonly failures: number;
  readonly recent: number;
}

/**
 * What the dashboard remembers of the daemon's recent activity, from engine events: per-minute counts, the last
 * outcomes and file timelines (and, fed from the log, the last problems), the files waiting for a ready marker, and revisions of each list. Every part
 * is bounded (see each). `onChange` is told after any event that changed something shown.
 */
export class Activity {
  readonly minutes = new MinuteCounts();
  readonly problems = new RecentProblems();
  readonly outcomes = new RecentOutcomes();
  readonly timelines = new FileTimelines();
  readonly markerWaits = new MarkerWaits();
  readonly #revisions = { pending: 0, failures: 0, recent: 0 };
  readonly #changed = new Set<() => void>();

  constructor(pipelines: readonly string[]) {
    this.reconfigure(pipelines);
  }

  reconfigure(pipelines: readonly string[]): void {
    this.minutes.reconfigure(pipelines);
    this.markerWaits.reconfigure(pipelines);
  }

  get revisions(): Revisions {
    return { ...this.#revisions };
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#changed.add(listener);
    return () => this.#changed.delete(listener);
  }

  /** Counts a change made outside the engine's events (a retry clears failures). */
  touch(what: keyof Revisions): void {
    this.#revisions[what] += 1;
    for (const listener of this.#changed) listener();
  }

  /** Keeps a line of the daemon's log when it is a warning or an error (the recent problems). */
  readonly logLine = (level: string, message: string, fields: Readonly<Record<string, unknown>>): void => {
    if (this.problems.addLine(level, message, fields)) for (const listener of this.#changed) listener();
  };

  /** Without a log to read (a library user's engine): the warnings and errors of engine events, in the log's words. */
  readonly eventProblems = (e: EngineEvent): void => {
    if (this.problems.addEvent(e)) for (const listener of this.#changed) listener();
  };

  readonly listener = (e: EngineEvent): void => {
    this.timelines.add(e);
    const waits = this.markerWaits.add(e);
    const moved = this.#outcome(e);
    if (waits || pendingSteps.has(e.type)) this.#revisions.pending += 1;
    if (waits || moved || e.type === 'stage' || e.type === 'stage-start' || e.type === 'retry' || e.type === 'started') {
      for (const listener of this.#changed) listener();
    }
  };

  #outcome(e: EngineEvent): boolean {
    if (e.type !== 'processed' && e.type !== 'unchanged' && e.type !== 'failed') return false;
    const at = new Date().toISOString();
    if (e.type === 'failed') {
      this.minutes.count(e.pipeline, 'failed');
      this.outcomes.add({ pipeline: e.pipeline, path: e.path, outcome: 'failed', at, outputs: [], code: e.code });
      this.#revisions.failures += 1;
    } else {
      // An unchanged file is no news (each rescan and the daemon's own events say it again): counted, not listed.
      if (e.type === 'unchanged') return true;
      this.minutes.count(e.pipeline, 'processed');
      this.outcomes.add({ pipeline: e.pipeline, path: e.path, outcome: 'processed', at, outputs: e.outputs, durationMs: e.durationMs });
      // A success may end an earlier failure: its record is no longer failed.
      this.#revisions.failures += 1;
    }
    this.#revisions.recent += 1;
    this.#revisions.pending += 1;
    return true;
  }
}
