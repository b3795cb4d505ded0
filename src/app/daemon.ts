import path from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { TransformLog } from '../transforms/types.js';
import { createFilter } from '../watch/filter.js';
import { InputWatcher } from '../watch/watcher.js';
import { feed, feedFolder } from './feed.js';
import { FolderWalks } from './folder-walks.js';
import { Ops } from './ops.js';
import { routeHint } from './route-hint.js';
import { openRuntime, type Runtime } from './runtime.js';
import { UnwatchedPoller, unwatchedPollMs } from './unwatched-poller.js';

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
  #o: DaemonOptions;
  /** Aborted by close(), and by reload() for the watcher and scans of the config it replaces. */
  #stop = new AbortController();
  #runtime: Runtime | null = null;
  #ops: Ops | null = null;
  #watcher: InputWatcher | null = null;
  #poller: UnwatchedPoller | null = null;
  #timer: NodeJS.Timeout | null = null;
  #scanning: Promise<void> | null = null;
  #rescanWanted = false;
  #walks = this.#newWalks();
  #closing: Promise<void> | null = null;
  /** The last reload, which the next one (and close) waits for; rescans wait while one runs. */
  #reloading: Promise<void> = Promise.resolve();
  #paused = false;
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
      onOverflow: () => this.rescan(),
      onFolder: (abs) => this.#newFolder(abs),
    });
    this.#ops = await Ops.start({ config, events, runtime: this.#runtime, state: () => this.state });
    await this.#watch();
    this.#scanning = this.#scan('scan');
    this.#schedule();
  }

  async #watch(): Promise<void> {
    const { config, events } = this.#o;
    const roots = config.pipelines.map((p) => ({ dir: p.input.dir, acceptsDir: createFilter(p).dir }));
    this.#poller = this.#createPoller();
    this.#watcher = new InputWatcher(roots, {
      onFile: (abs) => this.#hint(abs),
      onDir: (abs) => this.#newFolder(abs),
      onUnwatched: (abs, err) => this.#poller?.add(abs, err.code ?? 'ENOSPC'),
      onOverflow: (pending) => {
        events.emit({ type: 'overflow', pending });
        this.rescan();
      },
      onError: (err) => {
        events.emit({ type: 'watcher-error', code: (err as NodeJS.ErrnoException).code ?? 'WATCH_FAILED', message: err.message });
        this.rescan();
      },
    });
    await this.#watcher.start();
    events.emit({ type: 'watching', dirs: [...new Set(config.pipelines.map((p) => p.input.dir))] });
  }

  /**
   * Applies a new config with the same stateDir, without losing queued work or restarting jobs in flight: stops the
   * watcher and scans, hands over to a new engine (runtime.replaceEngine: in-flight jobs finish under the old config),
   * watches the new input folders and scans them; once the old jobs are done, scans again for their files and for
   * what was queued (events are hints, the scan is the truth). Reloads run one after another; none after close().
   */
  reload(config: ResolvedConfig): Promise<void> {
    const next = this.#reloading.then(() => this.#reload(config));
    this.#reloading = next.catch(() => {});
    return next;
  }

  async #reload(config: ResolvedConfig): Promise<void> {
    if (this.#closing || !this.#runtime) return;
    this.#paused = true;
    if (this.#timer) clearTimeout(this.#timer);
    const stopped = this.#stop;
    this.#stop = new AbortController();
    stopped.abort();
    try {
      await this.#watcher?.close();
      await this.#poller?.close();
      await this.#scanning;
      await this.#walks.close();
      this.#walks = this.#newWalks();
      // Throws only when a new input folder cannot be created: then the old config keeps running, watched again.
      const { retired } = await this.#runtime.replaceEngine(config);
      this.#o = { ...this.#o, config };
      this.#ops?.reconfigure(config);
      void retired.then(() => this.rescan('scan'), () => {});
    } finally {
      await this.#watch();
      this.#paused = false;
      this.#rescanWanted = false;
      this.rescan('scan');
      this.#schedule();
    }
  }

  /** Folders inotify could not watch are walked every few seconds instead, and a warning says so. */
  #createPoller(): UnwatchedPoller {
    const { config, events } = this.#o;
    return new UnwatchedPoller({
      walk: (abs) => this.#walkFolder(abs),
      walkAll: () => feed(config.pipelines, this.#runtime!.engine.intake, events, 'rescan', this.#stop.signal),
      onPolling: ({ folders, all, first, code }) =>
        events.emit({ type: 'watch-fallback', code, dir: first, folders, all, intervalMs: unwatchedPollMs }),
      onError: (err) => this.#onFatal(err),
    });
  }

  /** Offers the files below `absDir` to every pipeline it is in; an error of a walk that close or reload aborted is none. */
  async #walkFolder(absDir: string): Promise<void> {
    const signal = this.#stop.signal;
    try {
      for (const p of this.#o.config.pipelines) {
        const rel = path.relative(p.input.dir, absDir);
        if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
        await feedFolder(p, rel.split(path.sep).join('/'), this.#runtime!.engine.intake, signal);
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  #newWalks(): FolderWalks {
    return new FolderWalks({
      walk: (abs) => this.#walkFolder(abs),
      onTooMany: () => this.rescan(),
      onError: (err) => this.#onFatal(err),
    });
  }

  #hint(absPath: string): void {
    const intake = this.#runtime?.engine.intake;
    if (intake) routeHint(this.#o.config.pipelines, intake, absPath);
  }

  #newFolder(absPath: string): void {
    if (!this.#closing) this.#walks.add(absPath);
  }

  /** Asks for a reconciliation scan; coalesced with one already running. */
  rescan(via: 'scan' | 'rescan' = 'rescan'): void {
    if (this.#closing) return;
    if (this.#scanning || this.#paused) {
      this.#rescanWanted = true;
      return;
    }
    this.#scanning = this.#scan(via);
  }

  async #scan(via: 'scan' | 'rescan'): Promise<void> {
    const runtime = this.#runtime!;
    const signal = this.#stop.signal;
    try {
      await feed(this.#o.config.pipelines, runtime.engine.intake, this.#o.events, via, signal);
    } catch (err) {
      if (!signal.aborted) this.#onFatal(err);
    }
    this.#scanning = null;
    if (this.#rescanWanted && !this.#closing && !this.#paused) {
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
    await this.#reloading;
    if (this.#timer) clearTimeout(this.#timer);
    this.#stop.abort();
    try {
      await this.#watcher?.close();
      await this.#poller?.close();
      await this.#scanning;
      await this.#walks.close();
      // The control socket and /healthz stay up while draining; they go before the lock is released.
      try {
        await this.#runtime?.engine.drain(this.#o.config.shutdownGraceMs);
      } finally {
        await this.#ops?.close();
      }
      await this.#runtime?.close(this.#o.config.shutdownGraceMs);
    } finally {
      this.#done(this.#fatal === null ? undefined : this.#fatal);
    }
  }

  /** Aborts in-flight work now (the second SIGTERM / SIGINT). */
  abort(): void {
    this.#runtime?.abort();
    void this.close();
  }
}
