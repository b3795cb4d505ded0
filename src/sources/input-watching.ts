import type { ResolvedPipeline } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { Intake } from '../pipeline/intake.js';
import { createFilter } from '../watch/filter.js';
import { InputWatcher } from '../watch/watcher.js';
import { feed, feedFolder } from './feed.js';
import { FolderWalks } from './folder-walks.js';
import { routeHint } from './route-hint.js';
import { UnwatchedPoller, unwatchedPollMs } from './unwatched-poller.js';

export interface InputWatchingOptions {
  readonly pipelines: readonly ResolvedPipeline[];
  readonly events: EventBus;
  /** The intake of the engine running now (a reload replaces the engine). */
  readonly intake: () => Intake;
  /** Aborted when this watching ends (close, reload): walks under way then end quietly. */
  readonly signal: AbortSignal;
  /** The watcher failed or overflowed, or too many folders appeared at once: a full rescan is needed. */
  readonly rescan: () => void;
  readonly onFatal: (err: unknown) => void;
  /**
   * The pipelines whose changes become hints now (read per change): all of them on one node; in a cluster those this
   * node scans (every node on one machine sees every change: the scanner's hint is enough). @default all
   */
  readonly hinted?: () => readonly ResolvedPipeline[];
}

/**
 * Everything that turns changes in the input folders into intake hints, for one config: the watcher (folders only),
 * a walk of each folder that appears (the watcher reports none of the files a new folder already holds), and polling
 * of the folders inotify could not watch, with a warning. One lifecycle: start(), then an idempotent close().
 */
export class InputWatching {
  readonly #o: InputWatchingOptions;
  readonly #walks: FolderWalks;
  readonly #poller: UnwatchedPoller;
  readonly #watcher: InputWatcher;
  #closing: Promise<void> | null = null;

  constructor(options: InputWatchingOptions) {
    this.#o = options;
    const { pipelines, events, rescan, onFatal } = options;
    const hinted = options.hinted ?? (() => pipelines);
    this.#walks = new FolderWalks({ walk: (abs) => this.#walk(abs), onTooMany: rescan, onError: onFatal });
    this.#poller = new UnwatchedPoller({
      walk: (abs) => this.#walk(abs),
      walkAll: () => feed(hinted(), options.intake(), events, 'rescan', options.signal),
      onPolling: ({ folders, all, first, code }) =>
        events.emit({ type: 'watch-fallback', code, dir: first, folders, all, intervalMs: unwatchedPollMs }),
      onError: onFatal,
    });
    const roots = pipelines.map((p) => ({ dir: p.input.dir, acceptsDir: createFilter(p).dir }));
    this.#watcher = new InputWatcher(roots, {
      onFile: (abs) => routeHint(hinted(), options.intake(), abs),
      onDir: (abs) => this.newFolder(abs),
      onUnwatched: (abs, err) => this.#poller.add(abs, err.code ?? 'ENOSPC'),
      onOverflow: (pending) => {
        events.emit({ type: 'overflow', pending });
        rescan();
      },
      onError: (err) => {
        events.emit({ type: 'watcher-error', code: (err as NodeJS.ErrnoException).code ?? 'WATCH_FAILED', message: err.message });
        rescan();
      },
    });
  }

  /** Resolves once every input folder is watched (or polled), and says so. */
  async start(): Promise<void> {
    await this.#watcher.start();
    this.#o.events.emit({ type: 'watching', dirs: [...new Set(this.#o.pipelines.map((p) => p.input.dir))] });
  }

  /** A folder appeared (reported by the watcher, or an input turned out to be one): its files are walked. */
  newFolder(absDir: string): void {
    if (!this.#closing) this.#walks.add(absDir);
  }

  /** Stops watching and polling, and waits for the walks under way (the caller aborts `signal` to cut them short). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#watcher.close();
      await this.#poller.close();
      await this.#walks.close();
    })();
    return this.#closing;
  }

  /** Offers the files below `absDir`; an error of a walk that was aborted is none. */
  async #walk(absDir: string): Promise<void> {
    try {
      await feedFolder((this.#o.hinted ?? (() => this.#o.pipelines))(), absDir, this.#o.intake(), this.#o.signal);
    } catch (err) {
      if (!this.#o.signal.aborted) throw err;
    }
  }
}
