import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, fsyncFile, mkdirDurable } from '../fs/durable.js';

/** Remembers folders already created, so the hot path skips a mkdir per file (bounded: forgets all when full), and
 * groups the fsyncs of a folder that many commits rename into at once. */
export class DirCache {
  readonly #made = new Set<string>();
  readonly #syncs = new Map<string, { running: Promise<void>; next: Promise<void> | null }>();
  readonly #limit: number;

  constructor(limit = 4096) {
    this.#limit = limit;
  }

  /** Creates `dir` (and missing parents) durably: see mkdirDurable. */
  async ensure(dir: string): Promise<void> {
    if (this.#made.has(dir)) return;
    await mkdirDurable(dir);
    if (this.#made.size >= this.#limit) this.#made.clear();
    this.#made.add(dir);
  }

  /**
   * fsync(2) of a folder shared by concurrent callers (group commit): resolves once an fsync of `dir` that started
   * after this call has finished, so every rename made before the call is durable. Callers arriving while one runs
   * share the next one. Holds state only for syncs in flight.
   */
  sync(dir: string): Promise<void> {
    const state = this.#syncs.get(dir);
    if (state === undefined) return this.#startSync(dir);
    state.next ??= state.running.catch(() => {}).then(() => this.#startSync(dir));
    return state.next;
  }

  #startSync(dir: string): Promise<void> {
    const state: { running: Promise<void>; next: Promise<void> | null } = { running: Promise.resolve(), next: null };
    state.running = fsyncDir(dir).finally(() => {
      if (this.#syncs.get(dir) === state) this.#syncs.delete(dir);
    });
    this.#syncs.set(dir, state);
    return state.running;
  }

  /** Forget a folder (it may have been removed). */
  forget(dir: string): void {
    this.#made.delete(dir);
  }
}

/**
 * Moves a file, replacing what is at `to`. Across file systems it copies to a temp name beside `to`, fsyncs, renames,
 * then removes the source: the input exists in at least one place at every moment.
 */
export async function moveFile(from: string, to: string, dirs: DirCache): Promise<void> {
  try {
    await renameInto(from, to, dirs);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
  }
  const temp = path.join(path.dirname(to), `.${path.basename(to)}.sluice-move`);
  await removingOnFailure(temp, async () => {
    await fs.copyFile(from, temp);
    await fsyncFile(temp);
    await fs.rename(temp, to);
  });
  // The copy's entry is durable before the source goes: a power cut leaves the input in one place at least.
  await dirs.sync(path.dirname(to));
  await fs.unlink(from);
}

/** Writes a small file atomically and durably: temp beside it, fsync, rename, fsync of the folder. */
export async function writeFileAtomic(file: string, content: string, dirs: DirCache): Promise<void> {
  await dirs.ensure(path.dirname(file));
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.sluice-write`);
  await removingOnFailure(temp, async () => {
    await fs.writeFile(temp, content);
    await fsyncFile(temp);
    await fs.rename(temp, file);
  });
  await dirs.sync(path.dirname(file));
}

/** Runs `write`; when it fails (a full disk, say) removes the half-written `temp` so no partial file is left behind. */
async function removingOnFailure(temp: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => {});
    throw err;
  }
}

/** rename(2) into a folder made on demand; the folder cache may be stale (someone removed the folder), so ENOENT
 * re-creates it once. A second ENOENT means the source is gone. */
export async function renameInto(from: string, to: string, dirs: DirCache): Promise<void> {
  const dir = path.dirname(to);
  await dirs.ensure(dir);
  try {
    await fs.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    dirs.forget(dir);
    await dirs.ensure(dir);
    await fs.rename(from, to);
  }
}
