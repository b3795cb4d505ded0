import fs from 'node:fs';
import path from 'node:path';
import { FolderWatcher, type ListingStats } from './folder-watcher.js';
import { faultArmed, faultDue } from '../core/fault.js';

export interface WatchRoot {
  readonly dir: string;
  /** False for a folder (relative to `dir`, `/` separators) below which nothing can be an input. */
  readonly acceptsDir: (relPath: string) => boolean;
}

export interface WatcherHandlers {
  /**
   * Something happened to this path (created, written, renamed, removed): a hint for the intake, which stats it
   * itself. It may name a folder or a file that no longer exists.
   */
  readonly onFile: (absPath: string) => void;
  /**
   * A folder appeared. chokidar reads a new folder before it watches it, so files written in between (a tree copied
   * or unpacked in one go) may never be reported: the caller walks the folder itself a moment later.
   */
  readonly onDir?: (absPath: string) => void;
  /**
   * The folder could not be watched: the inotify watch limit (ENOSPC) or the open-file limit (EMFILE) was reached.
   * Nothing inside it will be reported; the caller must poll its subtree.
   */
  readonly onUnwatched?: (absDir: string, err: NodeJS.ErrnoException) => void;
  /** Events came faster than they could be checked and some were dropped: a rescan must find the files. */
  readonly onOverflow?: (pending: number) => void;
  /** The watcher failed otherwise; some changes may be missed until a rescan. */
  readonly onError: (err: Error) => void;
}

/** How long a newly created empty file waits before it is hinted, and how many may wait. */
const emptyDelayMs = 50;
const maxEmptyWaiting = 4096;
/** Most lstats of renamed paths in flight, and most renamed paths waiting for one (a flood's events). */
const maxLstats = 16;
const maxPendingRenames = 4096;

/** Errors that mean "this folder is not watched", not "the watcher is broken". */
const limitCodes = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);

/**
 * Wraps chokidar over every input root, watching folders only: one inotify watch per folder, however many files it
 * holds (chokidar on its own places one per file too). Files are learnt from the raw events of their folder's watch,
 * which name the child that changed. Events are hints only: nothing here decides eligibility, and chokidar's
 * awaitWriteFinish is not used (the intake settles files itself, for scanned and reported files alike).
 *
 * Floods: chokidar re-lists a folder after every event in it. FolderWatcher (folder-watcher.ts) makes that listing
 * names-with-types (no lstat per entry), one at a time per folder, paused in proportion to its cost, so a flood of
 * 100,000 files into one folder costs time linear in the files. A renamed child is lstat'ed (to tell a create from a
 * removal) by at most `maxLstats` at once; past `maxPendingRenames` waiting, hints are dropped and `onOverflow` asks
 * for a rescan, as the intake does when it is full.
 */
export class InputWatcher {
  readonly #roots: readonly WatchRoot[];
  readonly #handlers: WatcherHandlers;
  #watcher: FolderWatcher | null = null;
  #closing: Promise<void> | null = null;
  readonly #empty = new Set<string>();
  #emptyTimer: NodeJS.Timeout | null = null;
  /** Renamed paths waiting for the lstat that tells a create from a removal; bounded by `maxPendingRenames`. */
  readonly #renamed = new Set<string>();
  #renamedOverflow = false;
  #lstats = 0;

  constructor(roots: readonly WatchRoot[], handlers: WatcherHandlers) {
    this.#roots = roots;
    this.#handlers = handlers;
  }

  /** Resolves once the initial watches are in place. */
  start(): Promise<void> {
    const watcher = new FolderWatcher({
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (p: string, stats) => this.#ignored(p, stats),
      ignorePermissionErrors: true,
    });
    this.#watcher = watcher;
    watcher.add(this.#roots.map((r) => r.dir));
    const pass = this.#faultFilter(watcher);
    watcher.on('raw', (event: string, name: unknown, details: unknown) => pass() && this.#raw(event, name, details));
    watcher.on('addDir', (p) => pass() && this.#handlers.onDir?.(p));
    watcher.on('error', (err) => this.#error(err));
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  /** The test-only SLUICE_FAULT watch faults (see core/fault.ts): drop every event, or turn one into an ENOSPC error. */
  #faultFilter(watcher: FolderWatcher): () => boolean {
    if (faultArmed('drop-watch-events')) return () => false;
    if (!faultArmed('watch-error')) return () => true;
    return () => {
      if (faultDue('watch-error')) {
        const err = Object.assign(new Error('simulated watcher failure (SLUICE_FAULT=watch-error)'), { code: 'ENOSPC' });
        watcher.emit('error', err);
      }
      return false;
    };
  }

  /**
   * A folder's watch fired: `name` is the child that changed (absent for events on the folder itself). A `change` is
   * a write to an existing file; a `rename` is a create, a removal or a move, reported only if something is there
   * now (as chokidar's `add`, never its `unlink`): sluice's own disposals must not come back as hints.
   */
  #raw(event: string, name: unknown, details: unknown): void {
    const dir = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    if (typeof name !== 'string' || name === '' || typeof dir !== 'string') return;
    const abs = path.resolve(dir, name);
    if (event !== 'rename') return this.#handlers.onFile(abs);
    if (this.#renamed.has(abs)) return;
    if (this.#renamed.size >= maxPendingRenames) {
      // A flood: the intake could not take these hints either; the rescan the caller runs finds the files.
      if (!this.#renamedOverflow) this.#handlers.onOverflow?.(this.#renamed.size);
      this.#renamedOverflow = true;
      return;
    }
    this.#renamedOverflow = false;
    this.#renamed.add(abs);
    if (this.#lstats < maxLstats) this.#nextLstat();
  }

  /** One of at most `maxLstats` lstat chains: checks pending renamed paths one after another. */
  #nextLstat(): void {
    const abs = this.#renamed.values().next().value;
    if (abs === undefined) return;
    this.#renamed.delete(abs);
    this.#lstats += 1;
    fs.lstat(abs, (err, stat) => {
      this.#lstats -= 1;
      if (this.#closing) return;
      if (!err && (stat.size > 0 || stat.isDirectory())) this.#handlers.onFile(abs);
      else if (!err) this.#later(abs);
      this.#nextLstat();
    });
  }

  /**
   * An empty file that just appeared is most likely being written: its write reports it soon (a `change`). It is
   * hinted a moment later anyway (an empty file moved in, a `touch`), at once when too many wait.
   */
  #later(abs: string): void {
    if (this.#empty.size >= maxEmptyWaiting) return this.#handlers.onFile(abs);
    this.#empty.add(abs);
    this.#emptyTimer ??= setTimeout(() => {
      this.#emptyTimer = null;
      const files = [...this.#empty];
      this.#empty.clear();
      if (!this.#closing) for (const f of files) this.#handlers.onFile(f);
    }, emptyDelayMs);
  }

  #error(err: unknown): void {
    const e = (err instanceof Error ? err : new Error(String(err))) as NodeJS.ErrnoException;
    if (e.code !== undefined && limitCodes.has(e.code) && typeof e.path === 'string' && this.#handlers.onUnwatched) {
      this.#handlers.onUnwatched(path.resolve(e.path), e);
    } else {
      this.#handlers.onError(e);
    }
  }

  /** Only folders are watched (a file is never given its own watch); folders nothing can come from are pruned. */
  #ignored(absPath: string, stats: { isDirectory(): boolean } | undefined): boolean {
    if (stats !== undefined && !stats.isDirectory()) return true;
    for (const root of this.#roots) {
      const rel = path.relative(root.dir, absPath);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
      return !root.acceptsDir(rel.split(path.sep).join('/'));
    }
    return false;
  }

  /** The folder listings' work so far (null before start). */
  get listings(): Readonly<ListingStats> | null {
    return this.#watcher?.stats ?? null;
  }

  /** Stops watching; idempotent. */
  close(): Promise<void> {
    if (this.#emptyTimer) clearTimeout(this.#emptyTimer);
    this.#closing ??= this.#watcher ? this.#watcher.close() : Promise.resolve();
    return this.#closing;
  }
}
