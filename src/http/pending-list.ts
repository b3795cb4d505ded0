import type { DashboardSources } from './sources.js';

export interface PendingItem {
  readonly pipeline: string;
  readonly path: string;
  readonly state: 'settling' | 'waiting' | 'queued';
  readonly since: string;
  readonly ageMs: number;
}

interface PendingFile {
  readonly pipeline: string;
  readonly path: string;
  readonly state: PendingItem['state'];
  /** ms since epoch. */
  readonly since: number;
}

/**
 * Every file pending, unordered: settling or queued in the engine, or waiting for its ready marker (and not held by
 * the engine). O(n) in the files held, which the intake bounds, and the marker waits (bounded too).
 */
export function* pendingFiles(sources: DashboardSources): Generator<PendingFile> {
  const held = new Set<string>();
  for (const f of sources.held()) {
    held.add(`${f.pipeline}\0${f.relPath}`);
    if (f.state !== 'running') yield { pipeline: f.pipeline, path: f.relPath, state: f.state, since: f.since };
  }
  for (const w of sources.activity.markerWaits.values()) {
    if (!held.has(`${w.pipeline}\0${w.path}`)) yield { pipeline: w.pipeline, path: w.path, state: 'waiting', since: w.since };
  }
}

/** The pending files `keep` takes, oldest first. */
export function pendingItems(sources: DashboardSources, keep: (item: { pipeline: string; path: string }) => boolean): PendingItem[] {
  const now = Date.now();
  const found = [...pendingFiles(sources)].filter(keep).sort((a, b) => a.since - b.since);
  return found.map((f) => ({ ...f, since: new Date(f.since).toISOString(), ageMs: Math.max(0, now - f.since) }));
}
