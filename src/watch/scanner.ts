import fs from 'node:fs/promises';
import path from 'node:path';
import type { InputFilter } from './filter.js';

export interface ScanOptions {
  readonly signal?: AbortSignal;
  /** Told about folders that cannot be read (permissions, vanished while walking); the walk goes on. */
  readonly onError?: (dir: string, err: NodeJS.ErrnoException) => void;
  /** Walk only this folder below `root` (relative, `/` separators); the filter is not asked about it or its parents. */
  readonly under?: string;
}

/**
 * Walks `root` depth-first and yields the relative path (`/` separators) of every regular file the filter accepts.
 * Symbolic links are never followed, FIFOs, sockets and devices are skipped. Memory is one open folder per level.
 */
export async function* scan(root: string, filter: InputFilter, options: ScanOptions = {}): AsyncGenerator<string> {
  yield* walk(root, options.under ?? '', filter, options);
}

async function* walk(root: string, rel: string, filter: InputFilter, options: ScanOptions): AsyncGenerator<string> {
  options.signal?.throwIfAborted();
  let dir: import('node:fs').Dir;
  try {
    dir = await fs.opendir(rel === '' ? root : path.join(root, rel), { bufferSize: 64 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'ENOENT' || rel === '') options.onError?.(rel === '' ? root : path.join(root, rel), e);
    return;
  }
  try {
    for await (const entry of dir) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (filter.dir(child)) yield* walk(root, child, filter, options);
      } else if (entry.isFile() && filter.file(child).ok) {
        yield child;
      }
    }
  } catch (err) {
    options.onError?.(path.join(root, rel), err as NodeJS.ErrnoException);
  }
}
