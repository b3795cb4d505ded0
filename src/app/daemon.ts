import path from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { TransformLog } from '../transforms/types.js';
import { createFilter } from '../watch/filter.js';
import { InputWatcher } from '../watch/watcher.js';
import { feed, feedFolder } from './feed.js';
import { openRuntime, type Runtime } from './runtime.js';

/** How long after a folder appears it is walked: by then chokidar watches it, so no file falls between the two. */
const newFolderDelayMs = 300;
/** Most new folders remembered for that walk; beyond it a full rescan is cheaper to reason about. */
const maxNewFolders = 256;
/** While watching is paused for a backlog: files pending at most this many resume it; until then rescans repeat. */
const resumeBelow = 256;
const backlogRescanMs = 500;

export interface DaemonOptions {
  readonly config: ResolvedConfig;
  readonly events: EventBus;
  readonly log: TransformLog;
}

/**
 * Service mode: recovery, the start-up scan, the watcher, a walk of each folder that appears (chokidar can miss files
 * written into a new folder before it watches it), periodic jittered rescans, and a rescan whenever the watcher fails
 * or the intake overflowed. States: idle → running → draining → closed. close() is graceful and idempotent;
 * abort() cuts in-flight work at once (a second signal).
 */
export class Daemon {
  readonly #o: DaemonOptions;
  readonly #stop = new AbortController();
  #runtime: Runtime | null = null;
  #watcher: InputWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #scanning: Promise<void> | null = null;
  #rescanWanted = false;
  readonly #newFolders = new Set<string>();
  #folderTimer: NodeJS.Timeout | null = null;
  #folderScan: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** Watching is paused for a backlog (see #backlog); `#watcherClosed` settles when the old watcher is closed. */
  #paused = false;
  #watcherClosed: Promise<void> = Promise.resolve();
  #backlogTimer: NodeJS.Timeout | null = null;
  #fatal: unknown = null;
  #done!: (err?: unknown) => void;
  /** Settles when the daemon has closed: resolves after a graceful stop, rejects with a fatal error. */
  readonly finished: Promise<void>;

  constructor(options: DaemonOptions) {
    this.#o = options;
    this.finished = new Promise((resolve, reject) => {
      this.#done = (err) => (err === undefined ? resolve() : reject(err));
    });
  }

  get state(): 'idle' | 'running' | 'draining' | 'closed' {
    if (this.#closing) return this.#runtime ? 'draining' : 'closed';
    return this.#runtime ? 'running' : 'idle';
  }

  async start(): Promise<void> {
    const { config, events } = this.#o;
    this.#runtime = await openRuntime({
      config, events, log: this.#o.log,
      onFatal: (err) => this.#onFatal(err),
      onOverflow: () => this.#backlog(),
    });
    this.#watcher = this.#newWatcher();
    await this.#watcher.start();
    events.emit({ type: 'watching', dirs: [...new Set(config.pipelines.map((p) => p.input.dir))] });
    this.#scanning = this.#scan('scan');
    this.#schedule();
  }

  #newWatcher(): InputWatcher {
    const { config, events } = this.#o;
    const roots = config.pipelines.map((p) => ({ dir: p.input.dir, acceptsDir: createFilter(p).dir }));
    return new InputWatcher(roots, {
      onFile: (abs) => this.#hint(abs),
      onDir: (abs) => this.#newFolder(abs),
      onError: (err) => {
        events.emit({ type: 'watcher-error', code: (err as NodeJS.ErrnoException).code ?? 'WATCH_FAILED', message: err.message });
        this.rescan();
      },
    });
  }

  /**
   * The intake overflowed. chokidar re-reads and lstats every changed folder in full about once a second, so with tens
   * of thousands of files waiting the watcher costs more than the work itself, and its events are dropped anyway:
   * watching pauses, rescans (which wait for room in the intake) take over until the backlog drains, then it resumes.
   */
  #backlog(): void {
    if (!this.#paused && this.#watcher && !this.#closing) {
      this.#paused = true;
      this.#watcherClosed = this.#watcher.close();
      this.#watcher = null;
      this.#o.events.emit({ type: 'watch-paused', pending: this.#runtime!.engine.intake.size });
    }
    this.rescan();
  }

  /** After each scan while paused: resume watching (then rescan once more for what came meanwhile) or rescan again. */
  async #whilePaused(): Promise<void> {
    if (this.#runtime!.engine.intake.size > resumeBelow) {
      this.#backlogTimer = setTimeout(() => this.rescan(), backlogRescanMs);
      return;
    }
    await this.#watcherClosed;
    const watcher = this.#newWatcher();
    await watcher.start();
    if (this.#closing) return void (await watcher.close());
    this.#watcher = watcher;
    this.#paused = false;
    this.#o.events.emit({ type: 'watch-resumed' });
    this.rescan();
  }

  #hint(absPath: string): void {
    const intake = this.#runtime?.engine.intake;
    if (!intake) return;
    for (const p of this.#o.config.pipelines) {
      const rel = path.relative(p.input.dir, absPath);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
      const relPath = rel.split(path.sep).join('/');
      if (createFilterCached(p).file(relPath).ok) intake.hint(p, relPath);
    }
  }

  #newFolder(absPath: string): void {
    if (this.#closing) return;
    if (this.#newFolders.size >= maxNewFolders) {
      this.#newFolders.clear();
      this.rescan();
      return;
    }
    this.#newFolders.add(absPath);
    this.#folderTimer ??= setTimeout(() => {
      this.#folderTimer = null;
      this.#folderScan = this.#scanNewFolders(this.#folderScan);
    }, newFolderDelayMs);
  }

  /** Walks the folders that appeared since the last walk (after `previous`), skipping those inside another. */
  async #scanNewFolders(previous: Promise<void> | null): Promise<void> {
    await previous;
    const folders = [...this.#newFolders].sort((a, b) => a.length - b.length);
    this.#newFolders.clear();
    const intake = this.#runtime!.engine.intake;
    try {
      const walked: string[] = [];
      for (const folder of folders) {
        if (walked.some((w) => folder.startsWith(`${w}${path.sep}`))) continue;
        walked.push(folder);
        for (const p of this.#o.config.pipelines) {
          const rel = path.relative(p.input.dir, folder);
          if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
          await feedFolder(p, rel.split(path.sep).join('/'), intake, this.#stop.signal);
        }
      }
    } catch (err) {
      if (!this.#stop.signal.aborted) this.#onFatal(err);
    }
  }

  /** Asks for a reconciliation scan; coalesced with one already running. */
  rescan(): void {
    if (this.#closing) return;
    if (this.#scanning) {
      this.#rescanWanted = true;
      return;
    }
    this.#scanning = this.#scan('rescan');
  }

  async #scan(via: 'scan' | 'rescan'): Promise<void> {
    const runtime = this.#runtime!;
    try {
      await feed(this.#o.config.pipelines, runtime.engine.intake, this.#o.events, via, this.#stop.signal);
    } catch (err) {
      if (!this.#stop.signal.aborted) this.#onFatal(err);
    }
    this.#scanning = null;
    if (this.#closing) return;
    if (this.#paused) {
      this.#rescanWanted = false;
      this.#whilePaused().catch((err: unknown) => this.#onFatal(err));
    } else if (this.#rescanWanted) {
      this.#rescanWanted = false;
      this.rescan();
    }
  }

  #schedule(): void {
    const interval = this.#o.config.rescanIntervalMs;
    if (interval <= 0 || this.#closing) return;
    const jittered = Math.round(interval * (0.9 + Math.random() * 0.2));
    this.#timer = setTimeout(() => {
      this.rescan();
      this.#schedule();
    }, jittered);
  }

  #onFatal(err: unknown): void {
    this.#fatal ??= err;
    void this.close();
  }

  /** Stops intake, lets in-flight work finish within shutdownGraceMs, aborts the rest. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#folderTimer) clearTimeout(this.#folderTimer);
    if (this.#backlogTimer) clearTimeout(this.#backlogTimer);
    this.#stop.abort();
    try {
      await this.#watcher?.close();
      await this.#watcherClosed;
      await this.#scanning;
      await this.#folderScan;
      await this.#runtime?.close(this.#o.config.shutdownGraceMs);
    } finally {
      this.#done(this.#fatal === null ? undefined : this.#fatal);
    }
  }

  /** Aborts in-flight work now (the second SIGTERM / SIGINT). */
  abort(): void {
    this.#runtime?.engine.abort();
    void this.close();
  }
}

const filters = new WeakMap<object, ReturnType<typeof createFilter>>();
function createFilterCached(p: ResolvedConfig['pipelines'][number]): ReturnType<typeof createFilter> {
  let filter = filters.get(p);
  if (!filter) filters.set(p, (filter = createFilter(p)));
  return filter;
}
