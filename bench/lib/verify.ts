// Checks of sluice's outputs: each returns the errors found (empty when all is right), one line per kind of fault.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export function sameFile(a: string, b: string): boolean {
  try {
    return fs.readFileSync(a).equals(fs.readFileSync(b));
  } catch {
    return false;
  }
}

function summary(what: string, bad: number, first: string): string[] {
  return bad === 0 ? [] : [`${what}: ${bad} wrong or missing, first ${first}`];
}

/** Every `out/<rel>.gz` decompresses to `src/<rel>`. */
export function verifyGzipTree(what: string, src: string, out: string, rels: readonly string[]): string[] {
  let bad = 0;
  let first = '';
  for (const rel of rels) {
    try {
      if (zlib.gunzipSync(fs.readFileSync(path.join(out, `${rel}.gz`))).equals(fs.readFileSync(path.join(src, rel)))) continue;
    } catch {
      // Counted below.
    }
    bad += 1;
    first ||= rel;
  }
  return summary(what, bad, first);
}

/** Every `out/<rel>` has the bytes of `src/<rel>`. */
export function verifyCopyTree(what: string, src: string, out: string, rels: readonly string[]): string[] {
  let bad = 0;
  let first = '';
  for (const rel of rels) {
    if (sameFile(path.join(src, rel), path.join(out, rel))) continue;
    bad += 1;
    first ||= rel;
  }
  return summary(what, bad, first);
}

/** No regular file is left under `dir` (its inputs were deleted or moved away; empty folders may stay). */
export function verifyConsumed(what: string, dir: string): string[] {
  let left: fs.Dirent[];
  try {
    left = (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((e) => e.isFile());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  if (left.length === 0) return [];
  const first = path.relative(dir, path.join(left[0]!.parentPath, left[0]!.name));
  return [`${what}: ${left.length} input(s) left in ${dir}, first ${first}`];
}
