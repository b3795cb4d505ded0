import { setMaxListeners } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedPipeline } from '../config/resolved.js';
import { sleep } from '../core/abort.js';
import { describe, SluiceError, toSluiceError } from '../errors.js';
import type { BoundedQueue } from '../core/bounded-queue.js';
import { Semaphore } from '../core/semaphore.js';
import type { EventBus } from '../observability/events.js';
import { sameFingerprint, type StateStore } from '../state/store.js';
import { decide } from './decide.js';
import { fingerprintOf, settleWait, type Observation } from '../watch/settle.js';
import { jobKey, type Job } from './job.js';

type Via = 'scan' | 'event' | 'rescan' | 'redo';

interface Entry {
  state: 'settling' | 'queued' | 'running';
  /** A change was reported while the job ran: run once more when it finishes. */
  dirty: boolean;
  readonly pipeline: ResolvedPipeline;
  readonly relPath: string;
  via: Via;
}

export interface IntakeOptions {
  readonly store: StateStore;
  readonly queues: ReadonlyMap<string, BoundedQueue<Job>>;
  readonly events: EventBus;
  /** How many files may settle at once; the bound of the coalescing map. */
  readonly settleCapacity: number;
  /** Told when a watch hint was dropped because the intake was full: a rescan must find the file. */
  readonly onOverflow: () => void;
  /** Told when admitting a file failed in a way that must stop the process (the state store failed); other errors
   * (a file that cannot be read) skip that file with an event. */
  readonly onFatal: (err: unknown) => void;
}

/**
 * The one door into the engine for scans, rescans and watch events. Per (pipeline, input) it keeps at most one entry:
 * settling, queued or running; a hint for a running file marks it dirty, so it runs exactly once more. Files settle
 * here, then the state store decides: up to date (unchanged), failed before and unchanged (not retried), or a job.
 * Bounded: at most `settleCapacity` files settle or wait for queue space; scanners wait for room (`offer`), watch
 * hints that find no room are dropped and reported through `onOverflow`.
 */
export class Intake {
  readonly #o: IntakeOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #slots: Semaphore;
  readonly #closed = new AbortController();
  #idleWaiters: (() => void)[] = [];
  #overflowing = false;

  constructor(options: IntakeOptions) {
    this.#o = options;
    this.#slots = new Semaphore(options.settleCapacity);
    // Every settling file waits on this signal: up to settleCapacity listeners, each removed when its wait ends.
    setMaxListeners(options.settleCapacity + 16, this.#closed.signal);
  }

  /** Files known to the intake: settling, queued or running. */
  get size(): number {
    return this.#entries.size;
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

  /** True when there is nothing to admit: the intake is closed, or the file is known (a running one will run again). */
  #merge(key: string): boolean {
    if (this.#closed.signal.aborted) return true;
    const entry = this.#entries.get(key);
    if (!entry) return false;
    if (entry.state === 'running') entry.dirty = true;
    return true;
  }

  /** The engine took the job off the queue. */
  started(job: Job): void {
    const entry = this.#entries.get(jobKey(job.pipeline.name, job.relPath));
    if (entry) entry.state = 'running';
  }

  /** The engine finished with a job; `again` forces another look (the input changed under it). */
  finished(job: Job, again = false): void {
    const key = jobKey(job.pipeline.name, job.relPath);
    const entry = this.#entries.get(key);
    if (!entry) return;
    if ((entry.dirty || again) && !this.#closed.signal.aborted) {
      // Settles again without taking a slot: such entries are bounded by the jobs in flight.
      entry.state = 'settling';
      entry.dirty = false;
      entry.via = 'redo';
      this.#run(key, entry, 'redo', () => {});
      return;
    }
    this.#drop(key, entry);
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
    const entry: Entry = { state: 'settling', dirty: false, pipeline, relPath, via };
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

  /** Settles the file, asks the store, and queues a job; null when there is nothing to do. */
  async #settle(entry: Entry): Promise<Job | null> {
    const { pipeline, relPath } = entry;
    const absPath = path.join(pipeline.input.dir, relPath);
    const signal = this.#closed.signal;
    let previous: Observation | undefined;
    for (;;) {
      const stat = await lstatOrNull(absPath);
      if (stat === null || !stat.isFile()) return this.#skipped(entry, stat === null);
      const now = Date.now();
      const fingerprint = fingerprintOf(stat);
      if (!previous || !sameFingerprint(previous.fingerprint, fingerprint)) previous = { fingerprint, since: now };
      const wait = settleWait(stat, now, pipeline.input.settleMs, previous);
      if (wait === 0) break;
      this.#o.events.emit({ type: 'settling', pipeline: pipeline.name, path: relPath, waitMs: wait });
      await sleep(wait, { signal });
    }
    const job = this.#decide(entry, absPath, previous.fingerprint);
    if (job === null) return null;
    if (entry.via === 'rescan') this.#o.events.emit({ type: 'found-by-rescan', pipeline: pipeline.name, path: relPath });
    entry.state = 'queued';
    this.#o.events.emit({ type: 'queued', pipeline: pipeline.name, path: relPath });
    await this.#o.queues.get(pipeline.name)!.put(job, { signal });
    return job;
  }

  #decide(entry: Entry, absPath: string, fingerprint: Job['fingerprint']): Job | null {
    const { pipeline, relPath } = entry;
    const record = this.#o.store.get(pipeline.name, relPath);
    const base = { pipeline, relPath, absPath, fingerprint, queuedAt: Date.now() };
    const decision = decide(pipeline, fingerprint, record);
    if (decision === 'process') return { kind: 'process', ...base };
    if (decision === 'dispose') return { kind: 'dispose', ...base, record };
    const event = { pipeline: pipeline.name, path: relPath };
    if (decision === 'unchanged') this.#o.events.emit({ type: 'unchanged', ...event, outputs: record!.outputs });
    else {
      this.#o.events.emit({
        type: 'failed', ...event, stage: record!.stage ?? '', attempts: record!.attempts,
        code: record!.error?.code ?? 'FAILED', message: record!.error?.message ?? 'failed', previously: true,
      });
    }
    return null;
  }

  #skipped(entry: Entry, vanished: boolean): null {
    const reason = vanished ? 'the file vanished before it was processed' : 'not a regular file';
    this.#o.events.emit({
      type: 'skipped', pipeline: entry.pipeline.name, path: entry.relPath, reason,
      code: vanished ? 'INPUT_VANISHED' : 'INPUT_NOT_A_FILE',
    });
    return null;
  }

  #checkIdle(): void {
    if (this.#entries.size > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

async function lstatOrNull(file: string) {
  try {
    return await fs.lstat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}
