import type { EngineEvent } from './events.js';

/** Files remembered as waiting for their ready marker. */
export const markerWaitsKept = 10_000;

/**
 * Files that wait for their ready marker (input.marker), from engine events: a file waits from its `awaiting-marker`
 * event until any later step of it. Bounded: 10,000 files; when full, the longest waiting is forgotten (a scan finds it
 * again).
 */
export class MarkerWaits {
  readonly #files = new Map<string, { pipeline: string; path: string; since: number; marker: string }>();

  /** Returns true when the set changed. */
  add(e: EngineEvent): boolean {
    if (!('pipeline' in e) || !('path' in e) || e.path === undefined) return false;
    const key = `${e.pipeline}\0${e.path}`;
    if (e.type !== 'awaiting-marker') return e.type !== 'seen' && this.#files.delete(key);
    if (this.#files.has(key)) return false;
    if (this.#files.size >= markerWaitsKept) this.#files.delete(this.#files.keys().next().value!);
    this.#files.set(key, { pipeline: e.pipeline, path: e.path, since: Date.now(), marker: e.marker });
    return true;
  }

  /** Drops the files of pipelines no longer configured. */
  reconfigure(names: readonly string[]): void {
    for (const [key, f] of this.#files) if (!names.includes(f.pipeline)) this.#files.delete(key);
  }

  values(): Iterable<{ readonly pipeline: string; readonly path: string; readonly since: number; readonly marker: string }> {
    return this.#files.values();
  }
}
