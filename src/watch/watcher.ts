import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { faultArmed, faultDue } from '../core/fault.js';

export interface WatchRoot {
  readonly dir: string;
  /** False for a folder (relative to `dir`, `/` separators) below which nothing can be an input. */
  readonly acceptsDir: (relPath: string) => boolean;
}

export interface WatcherHandlers {
  /** A file was added or changed: a hint for the intake, which stats it itself. */
  readonly onFile: (absPath: string) => void;
  /**
   * A folder appeared. chokidar reads a new folder before it watches it, so files written in between (a tree copied
   * or unpacked in one go) may never be reported: the caller walks the folder itself a moment later.
   */
  readonly onDir?: (absPath: string) => void;
  /** The watcher failed (e.g. ENOSPC: inotify watch limit); some changes may be missed until a rescan. */
  readonly onError: (err: Error) => void;
}

/**
 * Wraps chokidar over every input root. Events are hints only: nothing here decides eligibility, and chokidar's
 * awaitWriteFinish is not used (the intake settles files itself, for scanned and reported files alike).
 */
export class InputWatcher {
  readonly #roots: readonly WatchRoot[];
  readonly #handlers: WatcherHandlers;
  #watcher: FSWatcher | null = null;
  #closing: Promise<void> | null = null;

  constructor(roots: readonly WatchRoot[], handlers: WatcherHandlers) {
    this.#roots = roots;
    this.#handlers = handlers;
  }

  /** Resolves once the initial watches are in place. */
  start(): Promise<void> {
    const watcher = watch(this.#roots.map((r) => r.dir), {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (p: string, stats) => this.#ignored(p, stats?.isDirectory()),
      ignorePermissionErrors: true,
    });
    this.#watcher = watcher;
    const pass = this.#faultFilter(watcher);
    watcher.on('add', (p) => pass() && this.#handlers.onFile(p));
    watcher.on('change', (p) => pass() && this.#handlers.onFile(p));
    watcher.on('addDir', (p) => pass() && this.#handlers.onDir?.(p));
    watcher.on('error', (err) => this.#handlers.onError(err instanceof Error ? err : new Error(String(err))));
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  /** The test-only SLUICE_FAULT watch faults (see core/fault.ts): drop every event, or turn one into an ENOSPC error. */
  #faultFilter(watcher: FSWatcher): () => boolean {
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

  #ignored(absPath: string, isDir: boolean | undefined): boolean {
    if (isDir === false) return false;
    for (const root of this.#roots) {
      const rel = path.relative(root.dir, absPath);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
      // Folders sluice writes to and dot folders are pruned; files are judged by the intake's filter.
      if (!root.acceptsDir(rel.split(path.sep).join('/'))) {
        if (isDir === true || path.basename(absPath).startsWith('.')) return true;
      }
      return false;
    }
    return false;
  }

  /** Stops watching; idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#watcher ? this.#watcher.close() : Promise.resolve();
    return this.#closing;
  }
}
