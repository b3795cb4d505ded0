import fs from 'node:fs/promises';
import path from 'node:path';
import { removeTemps, tempDirName, tempTagOf } from '../pipeline/temp-files.js';

/**
 * Removes, from each output folder's temp folder, what nodes that are gone left there: entries whose tag (see
 * useTempTag) is not among `liveTags` and that have not changed for `minAgeMs` (a node that just started may not
 * have beaten yet). Never touches a live node's temps, nor NFS silly-renamed `.nfs*` files. Returns how many went.
 */
export async function sweepDeadTemps(outputDirs: Iterable<string>, liveTags: ReadonlySet<string>, minAgeMs: number): Promise<number> {
  let removed = 0;
  const now = Date.now();
  for (const outputDir of new Set(outputDirs)) {
    const dir = path.join(outputDir, tempDirName);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      continue;
    }
    const dead: string[] = [];
    for (const name of names) {
      if (name.startsWith('.nfs') || liveTags.has(tempTagOf(name))) continue;
      const stat = await fs.lstat(path.join(dir, name)).catch(() => null);
      if (stat !== null && now - stat.mtimeMs >= minAgeMs) dead.push(path.join(dir, name));
    }
    await removeTemps(dead);
    removed += dead.length;
  }
  return removed;
}
