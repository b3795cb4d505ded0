import fs from 'node:fs/promises';
import path from 'node:path';
import { SluiceError } from '../errors.js';
import { fsyncFile } from '../pipeline/files.js';

/**
 * Moves `from` to `to` without ever replacing a file at `to`: a hard link (which fails if `to` exists) then unlink;
 * across file systems, or where links are not supported, an exclusive copy, fsync, then unlink. Throws INPUT_EXISTS
 * when `to` exists.
 */
export async function moveBack(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  try {
    await fs.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists(to);
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
    try {
      await fs.copyFile(from, to, fs.constants.COPYFILE_EXCL);
    } catch (copyErr) {
      if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') throw exists(to);
      throw copyErr;
    }
    await fsyncFile(to);
  }
  await fs.unlink(from);
}

function exists(to: string): SluiceError {
  return new SluiceError('INPUT_EXISTS', `${to} exists again; remove or rename it, then retry`, { exitCode: 2 });
}
