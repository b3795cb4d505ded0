import fs from 'node:fs/promises';
import path from 'node:path';

/** Folder inside each output.dir where stages write; on the output file system so the commit is a rename. */
export const tempDirName = '.sluice-tmp';

let counter = 0;

/** A fresh temp path in `outputDir` for one stage of one attempt. */
export function tempPath(outputDir: string, stage: number): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return path.join(outputDir, tempDirName, `${process.pid}-${counter}-s${stage}.tmp`);
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
