import { PassThrough } from 'node:stream';
import { FSWatcher } from 'chokidar';

type ListOptions = NonNullable<Parameters<FSWatcher['_readdirp']>[1]>;
type Listing = NonNullable<ReturnType<FSWatcher['_readdirp']>>;
type Filter = (entry: Parameters<Extract<NonNullable<ListOptions['fileFilter']>, (...a: never[]) => unknown>>[0]) => boolean;

/** A listing this slow (ms) is paused before the next one; quicker ones (a few thousand names) run back to back. */
const costlyMs = 5;
/** The pause is this many times the last listing's duration: re-reading a folder takes at most ~5% of the time. */
const pauseFactor = 19;
const maxPauseMs = 10_000;

/** Work the folder listings did (for tests and status): they never stat an entry. */
export interface ListingStats {
  /** Listings started. */
  reads: number;
  /** Entries they went through, files included. */
  entries: number;
  /** Entries that carried an fs.Stats (an lstat each): always 0, the names come with their types. */
  statted: number;
  /** Most listings of one folder in flight at once (chokidar's throttle allows one). */
  maxInFlight: number;
}

/**
 * chokidar's FSWatcher, with cheaper folder listings. chokidar re-reads a watched folder after every event in it (to
 * find new and removed children), and lists it with an lstat per entry; a flood into one folder of 100,000 files
 * then means 100,000 lstats, back to back, for as long as the flood lasts (quadratic), and listings that overlap once
 * one takes longer than chokidar's one-second throttle (memory). Here a listing reads names with their types (a
 * Dirent stands in for the Stats chokidar's filters and `_handleRead` consult: isDirectory, isSymbolicLink, isFile),
 * and a listing that took long is started only after a pause proportional to its cost, while the throttle is held
 * for that long, so a folder is listed at most once at a time and only ~5% of the time.
 */
export class FolderWatcher extends FSWatcher {
  readonly stats: ListingStats = { reads: 0, entries: 0, statted: 0, maxInFlight: 0 };
  /** Last listing's duration (ms) of each folder whose listing was costly; bounded by the watched folders. */
  readonly #cost = new Map<string, number>();
  readonly #inFlight = new Map<string, number>();

  #pauseMs(dir: string): number {
    return Math.min(maxPauseMs, pauseFactor * (this.#cost.get(dir) ?? 0));
  }

  override _throttle(...args: Parameters<FSWatcher['_throttle']>): ReturnType<FSWatcher['_throttle']> {
    const [type, dir, timeout] = args;
    // The throttle is released when the listing ends; its timeout only guards a listing that never ends.
    if (type === 'readdir') return super._throttle(type, dir, Math.max(timeout, 2 * this.#pauseMs(dir) + 5_000));
    return super._throttle(type, dir, timeout);
  }

  override _readdirp(root: string, opts: ListOptions = {}): Listing | undefined {
    if (this.closed) return undefined;
    const withTypes = (filter: ListOptions['fileFilter']): Filter => (entry) => {
      const e = entry as typeof entry & { dirent?: unknown };
      this.stats.entries += 1;
      if (e.stats) this.stats.statted += 1;
      else e.stats = e.dirent as typeof entry.stats;
      return typeof filter === 'function' ? (filter as Filter)(entry) : true;
    };
    const listOpts = { ...opts, alwaysStat: false, fileFilter: withTypes(opts.fileFilter), directoryFilter: withTypes(opts.directoryFilter) };
    const pause = this.#pauseMs(root);
    if (pause === 0) return this.#list(root, listOpts);
    // chokidar wants the stream now: hand it a pass-through that the listing feeds once the pause is over.
    const out = new PassThrough({ objectMode: true }) as unknown as Listing;
    this._streams.add(out);
    const timer = setTimeout(() => {
      const inner = this.closed || out.destroyed ? undefined : this.#list(root, listOpts);
      if (!inner) return void out.destroy();
      inner.on('error', (err) => out.destroy(err));
      inner.pipe(out as unknown as PassThrough);
    }, pause);
    out.once('close', () => {
      clearTimeout(timer);
      this._streams.delete(out);
    });
    return out;
  }

  #list(root: string, opts: ListOptions): Listing | undefined {
    const stream = super._readdirp(root, opts);
    if (!stream) return undefined;
    const started = performance.now();
    const inFlight = (this.#inFlight.get(root) ?? 0) + 1;
    this.#inFlight.set(root, inFlight);
    this.stats.reads += 1;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, inFlight);
    let ended = false;
    // 'end' comes before chokidar's next listing of the folder (started from its own 'end' handler); 'close' alone
    // when the listing was destroyed.
    const done = () => {
      if (ended) return;
      ended = true;
      const left = (this.#inFlight.get(root) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(root, left);
      else this.#inFlight.delete(root);
      const ms = performance.now() - started;
      if (ms >= costlyMs) this.#cost.set(root, ms);
      else this.#cost.delete(root);
    };
    stream.prependOnceListener('end', done);
    stream.once('close', done);
    return stream;
  }
}
