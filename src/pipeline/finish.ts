import fs from 'node:fs/promises';
import path from 'node:path';
import { crashPoint } from '../core/fault.js';
import type { Finish } from '../state/store.js';
import { pathExists } from '../fs/exists.js';
import type { DirCache } from './files.js';

/** One record's finish, and the folder below which emptied folders are removed (output.dir; null: none removed). */
export interface FinishWork {
  readonly finish: Finish;
  readonly root: string | null;
}

/** The finish a result owes: `stale` outputs of the previous result to remove, then `marker` to write; null if none. */
export function finishOf(stale: readonly string[], marker: string | null): Finish | null {
  return stale.length === 0 && marker === null ? null : { remove: stale, marker };
}

/**
 * Does the work of many finishes: removes every stale output and the folders that leaves empty (below its root, never
 * the root), makes that durable, then writes every marker (empty, by rename) and makes those durable. Throws the first
 * error; the records keep their finish, which the next start (or the input's next scan) does again — every step can be
 * repeated. The caller clears the finishes in the state store afterwards.
 */
export async function runFinishes(work: readonly FinishWork[], dirs: DirCache, flush: (dirs: string[]) => Promise<void>): Promise<void> {
  const changed = new Set<string>();
  for (const { finish, root } of work) {
    for (const file of finish.remove) await removeStale(file, root, changed);
  }
  if (changed.size > 0) {
    // A folder emptied by a later file of the batch is gone: its removal is made durable by its parent's flush.
    await flush([...new Set(await Promise.all([...changed].map(nearestExisting)))]);
    for (const _ of work) crashPoint('after-stale-removed');
  }
  const markers = work.map((w) => w.finish.marker).filter((m): m is string => m !== null);
  if (markers.length === 0) return;
  await Promise.all(markers.map((m) => writeMarker(m, dirs)));
  await flush([...new Set(markers.map((m) => path.dirname(m)))]);
  for (const _ of markers) crashPoint('after-marker');
}

/**
 * Removes `file` and then each parent left empty below `root` (one already gone counts as removed: a finish done
 * again), adding to `changed` the folders whose entries changed.
 */
async function removeStale(file: string, root: string | null, changed: Set<string>): Promise<void> {
  await fs.rm(file, { force: true });
  changed.add(path.dirname(file));
  if (root === null) return;
  for (let dir = path.dirname(file); dir !== root && dir.startsWith(`${root}${path.sep}`); dir = path.dirname(dir)) {
    try {
      await fs.rmdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') break; // Not empty: it stays, and so do its parents.
    }
    changed.add(path.dirname(dir));
  }
}

/** `dir`, or its nearest ancestor that exists. */
async function nearestExisting(dir: string): Promise<string> {
  for (let at = dir; ; at = path.dirname(at)) {
    if (at === path.dirname(at) || (await pathExists(at))) return at;
  }
}

/** Writes an empty marker atomically: an empty temp beside it, renamed over it (no data to flush). */
async function writeMarker(marker: string, dirs: DirCache): Promise<void> {
  await dirs.ensure(path.dirname(marker));
  const temp = path.join(path.dirname(marker), `.${path.basename(marker)}.sluice-marker`);
  await fs.writeFile(temp, '');
  await fs.rename(temp, marker);
}
