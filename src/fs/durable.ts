import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

// Durability on a real disk: data reaches it by an fsync of the file; a directory entry (create, rename, unlink, mkdir)
// by an fsync of its folder. Nothing else survives a power cut for certain.

/** Flushes a file's content to disk. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or unlink in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems cannot fsync a folder; the rename is still atomic there.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    await handle.close();
  }
}

/**
 * mkdir -p whose new entries are durable: each folder it creates is linked into its parent by a directory operation
 * that only an fsync of that parent makes survive a power cut, so every parent of a created folder is fsynced. A folder
 * that already existed costs one mkdir.
 */
export async function mkdirDurable(dir: string): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first === undefined) return;
  await Promise.all(createdChain(first, dir).map((d) => fsyncDir(path.dirname(d))));
}

/** Synchronous mkdirDurable, for start-up (the state directory). */
export function mkdirDurableSync(dir: string): void {
  const first = fsSync.mkdirSync(dir, { recursive: true });
  if (first === undefined) return;
  for (const d of createdChain(first, dir)) fsyncDirSync(path.dirname(d));
}

/** The folders from `first` (the first one mkdir -p created) down to `dir`. */
function createdChain(first: string, dir: string): string[] {
  const chain = [dir];
  for (let d = dir; d !== first && path.dirname(d) !== d;) chain.push((d = path.dirname(d)));
  return chain;
}

/** fsyncFile, synchronously (for worker threads). */
export function fsyncFileSync(file: string): void {
  const fd = fsSync.openSync(file, 'r');
  try {
    fsSync.fsyncSync(fd);
  } finally {
    fsSync.closeSync(fd);
  }
}

/** fsyncDir, synchronously. */
export function fsyncDirSync(dir: string): void {
  const fd = fsSync.openSync(dir, 'r');
  try {
    fsSync.fsyncSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    fsSync.closeSync(fd);
  }
}
