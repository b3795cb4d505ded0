import fs from 'node:fs/promises';
import path from 'node:path';
import { crashPoint } from '../core/fault.js';
import type { Finish } from '../state/store.js';
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
    for (const file of finish.remove) for (const dir of await removeStale(file, root)) changed.add(dir);
  }
  if (changed.size > 0) {
    await flush([...changed]);
    for (const _ of work) crashPoint('after-stale-removed');
  }
  const markers = work.map((w) => w.finish.marker).filter((m): m is string => m !== null);
  if (markers.length === 0) return;
  await Promise.all(markers.map((m) => writeMarker(m, dirs)));
  await flush([...new Set(markers.map((m) => path.dirname(m)))]);
  for (const _ of markers) crashPoint('after-marker');
}

/** Removes `file` and then each parent left empty below `root`; returns the (existing) folder whose entries changed last. */
async function removeStale(file: string, root: string | null): Promise<string[]> {
  await fs.rm(file, { force: true });
  let changed = path.dirname(file);
  if (root === null) return [changed];
  for (let dir = changed; dir !== root && dir.startsWith(`${root}${path.sep}`); dir = path.dirname(dir)) {
    try {
      await fs.rmdir(dir);
    } catch {
      break; // Not empty (another input's outputs, or this result's): it stays, and so do its parents.
    }
    changed = path.dirname(dir);
  }
  return [changed];
}

/** Writes an empty marker atomically: an empty temp beside it, renamed over it (no data to flush). */
async function writeMarker(marker: string, dirs: DirCache): Promise<void> {
  await dirs.ensure(path.dirname(marker));
  const temp = path.join(path.dirname(marker), `.${path.basename(marker)}.sluice-marker`);
  await fs.writeFile(temp, '');
  await fs.rename(temp, marker);
}
