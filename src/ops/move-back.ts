import fs from 'node:fs/promises';
import path from 'node:path';
import { SluiceError } from '../errors.js';
import { fsyncDir, fsyncFile, mkdirDurable } from '../fs/durable.js';

/**
 * Moves `from` to `to` without ever replacing a file at `to`: a hard link (which fails if `to` exists) then unlink;
 * across file systems, or where links are not supported, an exclusive copy, fsync, then unlink. Throws INPUT_EXISTS
 * when `to` exists.
 */
export async function moveBack(from: string, to: string): Promise<void> {
  await mkdirDurable(path.dirname(to));
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
  // The new entry is durable before the old one goes: a power cut leaves the file in one place at least.
  await fsyncDir(path.dirname(to));
  await fs.unlink(from);
}

function exists(to: string): SluiceError {
  return new SluiceError('INPUT_EXISTS', `${to} exists again; remove or rename it, then retry`, { exitCode: 2 });
}
