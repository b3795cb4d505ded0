import fs from 'node:fs/promises';
import fsSync from 'node:fs';

/** True when something (a file, a folder, a link) is at `file`; false when nothing is (ENOENT, ENOTDIR). Other errors throw. */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}

/** The lstat of `file`, or undefined when nothing is there; synchronous, for a few paths at a time. */
export function lstatOrNull(file: string): fsSync.Stats | undefined {
  return fsSync.lstatSync(file, { throwIfNoEntry: false });
}

/** True when a regular file (not a link to one) is at `file`. */
export function isFileSync(file: string): boolean {
  return lstatOrNull(file)?.isFile() ?? false;
}
