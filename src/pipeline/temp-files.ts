import fs from 'node:fs/promises';
import path from 'node:path';

/** Folder inside each output.dir where stages write; on the output file system so the commit is a rename. */
export const tempDirName = '.sluice-tmp';

let counter = 0;

/**
 * A fresh temp path in `outputDir` for one stage of one attempt: `<pid>-<n>-s<stage>` (at most 40 bytes, nothing of the
 * input's name) and then `ext`, the extension the result will have (tools such as ffmpeg and ImageMagick pick their
 * output format by it), when it is a plain one (see tempExt); no extension otherwise. With `ext` null, a folder's name.
 */
export function tempPath(outputDir: string, stage: number, ext: string | null = ''): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const unique = `${process.pid}-${counter}-s${stage}`;
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

/** Removes every temp file left in `outputDir` (start-up recovery) and returns how many there were. */
export async function removeTempDir(outputDir: string): Promise<number> {
  const dir = path.join(outputDir, tempDirName);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  await fs.rm(dir, { recursive: true, force: true });
  return names.length;
}
