import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * How a file system's pending writes are made durable:
 * - `none`: it keeps nothing across a reboot (tmpfs, ramfs), so there is nothing to flush;
 * - `syncfs`: a local journaling file system on which one syncfs(2) (`sync --file-system`) flushes every file's data
 *   and every directory entry at once — far cheaper than an fsync per file once a batch holds more than a few;
 * - `fsync`: everything else (FUSE, NFS, SMB, unknown), where syncfs is not trusted (FUSE does not pass it on to the
 *   file system at all): an fsync per file and per folder.
 */
export type FlushMethod = 'none' | 'syncfs' | 'fsync';

const byMagic: ReadonlyMap<number, FlushMethod> = new Map([
  [0x01021994, 'none'], // tmpfs
  [0x858458f6, 'none'], // ramfs
  [0xef53, 'syncfs'], // ext2, ext3, ext4
  [0x58465342, 'syncfs'], // xfs
  [0x9123683e, 'syncfs'], // btrfs
]);

/** Fewest files (or folders) on one file system for which one syncfs replaces their fsyncs (README, Performance). */
export const syncfsMinimum = 8;

export interface FileSystemInfo {
  readonly method: FlushMethod;
  /** The device: folders with the same one share a syncfs. */
  readonly dev: number;
}

/** The flush method of the file system holding `dir`; `forced` (SLUICE_FLUSH=fsync|syncfs) overrides it. */
export async function probeFileSystem(dir: string, forced: FlushMethod | null = forcedMethod()): Promise<FileSystemInfo> {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      const [stat, statfs] = await Promise.all([fs.stat(at), fs.statfs(at)]);
      return { method: forced ?? byMagic.get(statfs.type) ?? 'fsync', dev: stat.dev };
    } catch (err) {
      // A folder not made yet is on the file system of its nearest existing ancestor.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(at) === at) throw err;
    }
  }
}

/** `SLUICE_FLUSH=fsync` (or `syncfs`) forces one method everywhere, to measure one against the other. */
export function forcedMethod(): FlushMethod | null {
  const forced = process.env['SLUICE_FLUSH'];
  return forced === 'fsync' || forced === 'syncfs' ? forced : null;
}
