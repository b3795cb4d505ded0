import { setMaxListeners } from 'node:events';
import type { ResolvedPipeline } from '../config/resolved.js';
import { describe, SluiceError, toSluiceError } from '../errors.js';
import type { BoundedQueue } from '../core/bounded-queue.js';
import { Semaphore } from '../core/semaphore.js';
import { admit, type AdmitOptions, type Via } from './admit.js';
import { view, type Entry, type IntakeEntry } from './intake-entry.js';
import { jobKey, type Job } from './job.js';

export interface IntakeOptions extends AdmitOptions {
  readonly queues: ReadonlyMap<string, BoundedQueue<Job>>;
  /** How many files may settle at once; the bound of the coalescing map. */
  readonly settleCapacity: number;
  /** Told when a watch hint was dropped because the intake was full: a rescan must find the file. */
  readonly onOverflow: () => void;
  /** Told when admitting a file failed in a way that must stop the process (the state store failed); other errors
   * (a file that cannot be read) skip that file with an event. */
  readonly onFatal: (err: unknown) => void;
  /** The queue port for a shared queue (cluster mode): admitted jobs go there, not into `queues`; the intake is done
   * with them then (the shared queue keeps one job per version, and runs a version that changed while active again). */
  readonly forward?: (job: Job, via: Via, signal: AbortSignal) => Promise<void>;
}

/**
 * The one door into the engine for scans, rescans and watch events. Per (pipeline, input) it keeps at most one entry:
 * settling, queued or running; a hint for a running file marks it dirty, so it runs exactly once more. Each file is
 * admitted (admit.ts: settled, then the state store decides) and its job queued.
 * Bounded: at most `settleCapacity` files settle or wait for queue space; scanners wait for room (`offer`), watch
 * hints that find no room are dropped and reported through `onOverflow`.
 */
export class Intake {
  readonly #o: IntakeOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #slots: Semaphore;
  readonly #closed = new AbortController();
  /** Keys another engine is still working on (a config reload): not admitted until released. Bounded by its jobs. */
  readonly #held = new Set<string>();
  #idleWaiters: (() => void)[] = [];
  #overflowing = false;
  #order = 0;

  constructor(options: IntakeOptions) {
    this.#o = options;
    this.#slots = new Semaphore(options.settleCapacity);
    // Each file settling or waiting for queue space listens on it: at most settleCapacity of them.
    setMaxListeners(options.settleCapacity + 16, this.#closed.signal);
  }

  /** Files known to the intake: settling, queued or running. */
  get size(): number {
    return this.#entries.size;
  }

  /** The files it holds, in admission order (O(n): for status and explain, not the hot path). */
  *entries(): IterableIterator<IntakeEntry> {
    for (const e of this.#entries.values()) yield view(e);
  }

  /** One file it holds, or undefined. */
  lookup(pipeline: string, relPath: string): IntakeEntry | undefined {
    const entry = this.#entries.get(jobKey(pipeline, relPath));
    return entry && view(entry);
  }

  /** Admits a file found by a scan, waiting while the intake is full. */
  async offer(pipeline: ResolvedPipeline, relPath: string, via: Via, signal?: AbortSignal): Promise<void> {
    const key = jobKey(pipeline.name, relPath);
    if (this.#merge(key)) return;
    const release = await this.#slots.acquire({ signal });
    if (this.#merge(key)) release();
    else this.#admit(key, pipeline, relPath, via, release);
  }

  /** A watch event: never waits. */
  hint(pipeline: ResolvedPipeline, relPath: string): void {
    const key = jobKey(pipeline.name, relPath);
    if (this.#merge(key)) return;
    if (this.#slots.available === 0) {
      // Warn once per episode: every dropped hint would flood the log during a burst.
      if (!this.#overflowing) this.#o.events.emit({ type: 'overflow', pending: this.#o.settleCapacity });
      this.#overflowing = true;
      this.#o.onOverflow();
      return;
    }
    this.#overflowing = false;
    void this.#slots.acquire().then((release: () => void) => {
      if (this.#merge(key)) release();
      else this.#admit(key, pipeline, relPath, 'event', release);
    });
  }

  /** True when there is nothing to admit: the intake is closed, the file is held, or known (a running one will run again). */
  #merge(key: string): boolean {
    if (this.#closed.signal.aborted || this.#held.has(key)) return true;
    const entry = this.#entries.get(key);
    if (!entry) return false;
    if (entry.state === 'running') entry.dirty = true;
    return true;
  }

  /** The engine took the job off the queue. */
  started(job: Job): void {
    const entry = this.#entries.get(jobKey(job.pipeline.name, job.relPath));
    if (entry) Object.assign(entry, { state: 'running', since: Date.now() });
  }

  /** The engine finished with a job; `again` forces another look (the input changed under it). */
  finished(job: Job, again = false): void {
    const key = jobKey(job.pipeline.name, job.relPath);
    const entry = this.#entries.get(key);
    if (!entry) return;
    if ((entry.dirty || again) && !this.#closed.signal.aborted) {
      // Settles again without taking a slot: such entries are bounded by the jobs in flight.
      entry.state = 'settling';
      entry.since = Date.now();
      entry.dirty = false;
      entry.via = 'redo';
      this.#run(key, entry, 'redo', () => {});
      return;
    }
    this.#drop(key, entry);
  }

  /** Keys (see job.ts `jobKey`) of the jobs running now. */
  runningKeys(): string[] {
    return [...this.#entries].filter(([, e]) => e.state === 'running').map(([key]) => key);
  }

  /**
   * Refuses the files `keys` name until the returned function is called: another engine still runs them (a config
   * reload). Offers and hints for them are dropped meanwhile, so the caller rescans after releasing.
   */
  hold(keys: Iterable<string>): () => void {
    const held = [...keys];
    for (const key of held) this.#held.add(key);
    return () => {
      for (const key of held) this.#held.delete(key);
    };
  }

  /** Resolves when no file is settling, queued or running. */
  whenIdle(): Promise<void> {
    if (this.#entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops admitting files and abandons those settling or waiting for queue space; running jobs are left be. */
  close(): void {
    this.#closed.abort();
    for (const [key, entry] of this.#entries) if (entry.state !== 'running') this.#entries.delete(key);
    this.#checkIdle();
  }

  #admit(key: string, pipeline: ResolvedPipeline, relPath: string, via: Via, release: () => void): void {
    const entry: Entry = { state: 'settling', dirty: false, pipeline, relPath, via, since: Date.now(), order: 0 };
    this.#entries.set(key, entry);
    this.#run(key, entry, via, release);
  }

  #run(key: string, entry: Entry, via: Via, release: () => void): void {
    this.#o.events.emit({ type: 'seen', pipeline: entry.pipeline.name, path: entry.relPath, via });
    this.#settle(entry)
      .then((job) => {
        if (job === null) this.#drop(key, entry);
      })
      .catch((err: unknown) => {
        this.#drop(key, entry);
        if (this.#closed.signal.aborted) return;
        if (err instanceof SluiceError && err.kind === 'fatal') this.#o.onFatal(err);
        else this.#o.events.emit({
          type: 'skipped', pipeline: entry.pipeline.name, path: entry.relPath, reason: describe(err),
          code: toSluiceError(err).code,
        });
      })
      .finally(release);
  }

  #drop(key: string, entry: Entry): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
    this.#checkIdle();
  }

  /** Settles the file, asks the store, and queues a job; null when there is nothing (more) to do here. */
  async #settle(entry: Entry): Promise<Job | null> {
    const signal = this.#closed.signal;
    const job = await admit(entry, this.#o, signal);
    if (job === null) return null;
    Object.assign(entry, { state: 'queued', since: Date.now(), order: ++this.#order });
    this.#o.events.emit({ type: 'queued', pipeline: entry.pipeline.name, path: entry.relPath });
    if (this.#o.forward) {
      await this.#o.forward(job, entry.via, signal);
      this.#o.handedOff?.remember(jobKey(entry.pipeline.name, entry.relPath), job.fingerprint);
      return null;
    }
    await this.#o.queues.get(entry.pipeline.name)!.put(job, { signal });
    return job;
  }

  #checkIdle(): void {
    if (this.#entries.size > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
