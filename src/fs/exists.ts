import fs from 'node:fs/promises';

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
