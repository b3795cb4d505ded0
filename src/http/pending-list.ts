import type { DashboardSources } from './sources.js';

export interface PendingItem {
  readonly pipeline: string;
  readonly path: string;
  readonly state: 'settling' | 'waiting' | 'queued';
  readonly since: string;
  readonly ageMs: number;
}

/**
 * Every file pending, oldest first: settling or queued in the engine, or waiting for its ready marker. O(n log n) in
 * the files held, which the intake bounds.
 */
export function pendingItems(sources: DashboardSources, keep: (item: { pipeline: string; path: string }) => boolean): PendingItem[] {
  const now = Date.now();
  const found: { pipeline: string; path: string; state: PendingItem['state']; since: number }[] = [];
  const held = new Set<string>();
  for (const f of sources.held()) {
    held.add(`${f.pipeline}\0${f.relPath}`);
    if (f.state !== 'running' && keep({ pipeline: f.pipeline, path: f.relPath })) {
      found.push({ pipeline: f.pipeline, path: f.relPath, state: f.state, since: f.since });
    }
  }
  for (const w of sources.activity.markerWaits.values()) {
    if (!held.has(`${w.pipeline}\0${w.path}`) && keep(w)) found.push({ pipeline: w.pipeline, path: w.path, state: 'waiting', since: w.since });
  }
  found.sort((a, b) => a.since - b.since);
  return found.map((f) => ({ ...f, since: new Date(f.since).toISOString(), ageMs: Math.max(0, now - f.since) }));
}
