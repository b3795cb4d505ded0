import path from 'node:path';
import { fsyncFile } from '../fs/durable.js';
import { Syncfs } from '../fs/syncfs.js';
import { probeFileSystem, syncfsMinimum, type FileSystemInfo, type FlushMethod } from '../fs/flush-method.js';
import type { DirCache } from './files.js';

/** fsyncs in flight at once when a batch flushes file by file. */
const fsyncParallel = 16;
/** Folders whose file system is remembered; forgotten all at once when full. */
const cacheLimit = 4096;

type FsInfo = { -readonly [K in keyof FileSystemInfo]: FileSystemInfo[K] };

/** Flushes the files and folders of a group commit with the cheapest method each file system allows (see FlushMethod). */
export class Durability {
  readonly #dirs: DirCache;
  readonly #syncfs = new Syncfs();
  readonly #byDir = new Map<string, Promise<FsInfo>>();
  /** isLocal's answers, settled; as bounded as #byDir. */
  readonly #known = new Map<string, boolean | null>();

  constructor(dirs: DirCache) {
    this.#dirs = dirs;
  }

  /**
   * True once `dir` is known to be on a local disk or tmpfs (a file system this table knows, not FUSE, NFS or SMB);
   * false until the first look, which it starts, has finished (null marks one under way).
   */
  isLocal(dir: string): boolean {
    const known = this.#known.get(dir);
    if (known === undefined) {
      this.#known.set(dir, null);
      void this.#info(dir).then((info) => this.#known.set(dir, info.method !== 'fsync'), () => this.#known.delete(dir));
    }
    return known === true;
  }

  /** How `count` files (or folders) in `dir` are best flushed: syncfs only where it is trusted and worth it. */
  async method(dir: string, count: number): Promise<FlushMethod> {
    const { method } = await this.#info(dir);
    return method === 'syncfs' && count < syncfsMinimum ? 'fsync' : method;
  }

  /** Ends the syncfs coprocess (it ends by itself when sluice does). */
  close(): void {
    this.#syncfs.close();
  }

  /** Makes the data of `files` durable. */
  async files(files: readonly string[]): Promise<void> {
    await this.#flush(files, (f) => path.dirname(f), (f) => fsyncFile(f));
  }

  /** Makes the entries of `dirs` (renames, creates, unlinks in them) durable. */
  async dirs(dirs: Iterable<string>): Promise<void> {
    await this.#flush([...new Set(dirs)], (d) => d, (d) => this.#dirs.sync(d));
  }

  async #flush(items: readonly string[], dirOf: (item: string) => string, fsync: (item: string) => Promise<void>) {
    if (items.length === 0) return;
    const byDev = new Map<number, { info: FsInfo; dir: string; items: string[] }>();
    for (const item of items) {
      const dir = dirOf(item);
      const info = await this.#info(dir);
      if (info.method === 'none') continue;
      const group = byDev.get(info.dev) ?? { info, dir, items: [] };
      group.items.push(item);
      byDev.set(info.dev, group);
    }
    await Promise.all([...byDev.values()].map(async ({ info, dir, items: group }) => {
      if (info.method === 'syncfs' && group.length >= syncfsMinimum && await this.#syncfs.flush(dir, String(info.dev))) return;
      if (info.method === 'syncfs' && group.length >= syncfsMinimum) info.method = 'fsync'; // syncfs failed: never again
      await inParallel(group, fsyncParallel, fsync);
    }));
  }

  #info(dir: string): Promise<FsInfo> {
    let info = this.#byDir.get(dir);
    if (info === undefined) {
      if (this.#byDir.size >= cacheLimit) this.#byDir.clear();
      if (this.#known.size >= cacheLimit) this.#known.clear();
      info = probeFileSystem(dir).then((found) => ({ ...found }));
      this.#byDir.set(dir, info);
      info.catch(() => this.#byDir.delete(dir));
    }
    return info;
  }
}

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
