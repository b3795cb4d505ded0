import fs from 'node:fs/promises';
import path from 'node:path';

/** Folder inside each output.dir where stages write; on the output file system so the commit is a rename. */
export const tempDirName = '.sluice-tmp';

let counter = 0;
/** What starts every temp name of this process: its pid on one node; a node's tag in a cluster (see useTempTag). */
let tag = String(process.pid);

/**
 * Makes every later temp name start with `value` and a dash: cluster nodes share output folders, so a temp names the
 * node incarnation that wrote it (a janitor removes those of dead ones). Letters, digits and dots only.
 */
export function useTempTag(value: string): void {
  if (!/^[A-Za-z0-9.]{1,40}$/.test(value)) throw new RangeError(`temp tag must be 1-40 letters, digits or dots, got ${value}`);
  tag = value;
}

/** The tag a temp name starts with (see useTempTag). */
export function tempTagOf(name: string): string {
  const dash = name.indexOf('-');
  return dash < 0 ? name : name.slice(0, dash);
}

/**
 * A fresh temp path in `outputDir` for one stage of one attempt: `<tag>-<n>-s<stage>` (at most 70 bytes, nothing of the
 * input's name) and then `ext`, the extension the result will have (tools such as ffmpeg and ImageMagick pick their
 * output format by it), when it is a plain one (see tempExt); no extension otherwise. With `ext` null, a folder's name.
 */
export function tempPath(outputDir: string, stage: number, ext: string | null = ''): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const unique = `${tag}-${counter}-s${stage}`;
  return path.join(outputDir, tempDirName, ext === null ? `${unique}.d` : `${unique}${tempExt(ext)}`);
}

/** `ext` when it is a dot and 1 to 32 letters, digits, `_ + ~ -` (what formats are named by), else ''. */
export function tempExt(ext: string): string {
  return /^\.[A-Za-z0-9_+~-]{1,32}$/.test(ext) ? ext : '';
}

/** Removes temp files (or whatever a transform made there instead, a folder say); missing ones are fine. */
export async function removeTemps(files: readonly string[]): Promise<void> {
  // unlink first (the common case, and cheaper); rm only for what a transform made there instead, a folder say.
  const remove = (f: string) => fs.unlink(f).catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : fs.rm(f, { force: true, recursive: true }).catch(() => {}));
  await Promise.all(files.map(remove));
}

/**
 * Removes the temp files left in `outputDir` (start-up recovery) and returns how many there were: all of them, or with
 * `only`, those whose name it accepts (a cluster node removes its own earlier incarnations', never a live node's).
 */
export async function removeTempDir(outputDir: string, only?: (name: string) => boolean): Promise<number> {
  const dir = path.join(outputDir, tempDirName);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  if (only === undefined) {
    await fs.rm(dir, { recursive: true, force: true });
    return names.length;
  }
  const mine = names.filter(only);
  await removeTemps(mine.map((n) => path.join(dir, n)));
  return mine.length;
}
