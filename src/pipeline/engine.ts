import { setMaxListeners } from 'node:events';
import type { ResolvedPipeline } from '../config/resolved.js';
import { BoundedQueue } from '../core/bounded-queue.js';
import { KeyedLock } from '../core/keyed-lock.js';
import type { PathLocks } from './path-locks.js';
import type { EngineOptions } from './engine-options.js';
import { Semaphore } from '../core/semaphore.js';
import { AbortedError } from '../errors.js';
import { smallFilePool, smallFileThreads } from '../transforms/small-file.js';
import { Durability } from './durability.js';
import { DirCache } from './files.js';
import { GroupCommit } from './group-commit.js';
import { HandedJobs } from './handed-jobs.js';
import { HandedOff } from './handed-off.js';
import { Intake } from './intake.js';
import { emitOutcome } from './outcome-event.js';
import type { Job, JobOutcome } from './job.js';
import { batchSteps } from './run-batch.js';
import type { JobContext } from './run-job.js';
import { dispatch, type DispatchHost } from './dispatch.js';

export type { EngineOptions } from './engine-options.js';

/** Fewest files that may settle at once; more with a larger queue. */
const minSettleCapacity = 1024;
/** Most files in one group commit: measured in the README (Performance), more buys little and holds locks longer. */
const groupFiles = 256;

/**
 * Wires intake → one bounded queue per pipeline → a dispatcher per pipeline → stage pools → commit. Emits events and
 * never logs. Lifecycle: start() once; drain(graceMs) stops intake, lets in-flight jobs finish within the grace, then
 * aborts the rest (their inputs stay untouched); it returns the same promise on every call.
 */
export class Engine {
  readonly intake: Intake;
  readonly #o: EngineOptions;
  readonly #queues = new Map<string, BoundedQueue<Job>>();
  readonly #running = new Set<Promise<void>>();
  readonly #handed = new HandedJobs();
  readonly #abort = new AbortController();
  readonly #locks: PathLocks;
  readonly #dirs = new DirCache();
  readonly #durability = new Durability(this.#dirs);
  readonly #group: GroupCommit;
  /** Jobs waiting for (or in) a group commit: two full batches. */
  readonly #committing = new Semaphore(2 * groupFiles);
  /** Every stage's worker pool, of every pipeline: what is in them may still join a group commit. */
  readonly #pools: Semaphore[] = [];
  #dispatchers: Promise<void>[] = [];
  #draining: Promise<void> | null = null;

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#locks = options.locks ?? new KeyedLock<string>();
    // Every job in flight listens on this signal (stage deadlines, lock and pool waits): bounded by the pools' slots.
    setMaxListeners(10_000, this.#abort.signal);
    this.#group = new GroupCommit({
      store: options.store, locks: this.#locks, dirs: this.#dirs, durability: this.#durability,
      events: options.events, signal: this.#abort.signal, busy: () => this.#busy(), maxFiles: groupFiles,
    });
    for (const p of options.config.pipelines) this.#queues.set(p.name, new BoundedQueue<Job>(options.config.queue.capacity));
    this.intake = new Intake({
      store: options.store, queues: this.#queues, events: options.events,
      settleCapacity: Math.max(minSettleCapacity, options.config.queue.capacity),
      onOverflow: () => options.onOverflow?.(), onFatal: (err) => options.onFatal(err),
      onFolder: (abs) => options.onFolder?.(abs),
      isLocal: (dir) => this.#durability.isLocal(dir), forward: options.forward,
      handedOff: options.forward ? new HandedOff(options.handOffTtlMs ?? 60_000) : undefined,
    });
  }

  /** Files waiting in the queues. */
  get queued(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.size;
    return n;
  }

  /** Each pipeline's queue: files waiting in it and its capacity. */
  queues(): { pipeline: string; depth: number; capacity: number }[] {
    return [...this.#queues].map(([pipeline, q]) => ({ pipeline, depth: q.size, capacity: q.capacity }));
  }

  /** Jobs in a stage or waiting for one: they may still join the open group commit. */
  #busy(): number {
    let n = 0;
    for (const pool of this.#pools) n += pool.permits - pool.available + pool.waiting;
    return n;
  }

  get inFlight(): number {
    return this.#running.size;
  }

  start(): void {
    // The batched path's worker threads boot in tens of milliseconds: not on the first file's time.
    if (this.#o.warm && this.#o.config.pipelines.some((p) => batchSteps(p) !== null)) smallFilePool().warm();
    this.#dispatchers = this.#o.config.pipelines.map((p) => this.#dispatch(p));
  }

  #dispatch(p: ResolvedPipeline): Promise<void> {
    const pools = p.stages.map((s) => new Semaphore(s.concurrency));
    this.#pools.push(...pools);
    const ctx: JobContext = {
      store: this.#o.store, events: this.#o.events, locks: this.#locks, dirs: this.#dirs, pools,
      signal: this.#abort.signal, log: this.#o.log, group: this.#group, committing: this.#committing,
    };
    return dispatch(p, this.#queues.get(p.name)!, ctx, this.#host);
  }

  readonly #host: DispatchHost = {
    signal: this.#abort.signal,
    durability: this.#durability,
    lanes: new Semaphore(smallFileThreads + 1),
    draining: () => this.#draining !== null,
    started: (job) => this.intake.started(job),
    track: (run) => {
      const tracked: Promise<void> = run.finally(() => this.#running.delete(tracked));
      this.#running.add(tracked);
    },
    finish: (job, outcome) => this.#finish(job, outcome),
    fatal: (err) => this.#o.onFatal(err),
  };

  #finish(job: Job, outcome: JobOutcome): void {
    emitOutcome(this.#o.events, job, outcome);
    if (!this.#handed.settle(job, outcome)) this.intake.finished(job, outcome.type === 'changed');
  }

  /**
   * The second door, for jobs a shared queue hands this node (cluster mode): runs an admitted job through the
   * pipeline's queue, stages and commit, and resolves with its outcome; `aborted` when the engine drains first. The
   * intake is not involved: a changed input is the caller's to submit again. Bounded by the caller (the shared
   * queue's worker concurrency); waits while the queue is full.
   */
  async run(job: Job): Promise<JobOutcome> {
    const queue = this.#queues.get(job.pipeline.name);
    if (!queue || this.#draining) return { type: 'aborted' };
    return this.#handed.run(job, queue, this.#abort.signal);
  }

  /** Stops taking work, waits up to `graceMs` for jobs in flight, then aborts them. Idempotent. */
  drain(graceMs: number): Promise<void> {
    this.#draining ??= this.#drain(graceMs);
    return this.#draining;
  }

  /**
   * Stops taking work and lets the jobs in flight finish however long they take, never aborting them (a config reload
   * hands over to a new engine). Shares drain()'s promise: bound the wait with abort().
   */
  retire(): Promise<void> {
    this.#draining ??= this.#drain(null);
    return this.#draining;
  }

  /** The output path locks, for an engine that takes over from this one. */
  get locks(): PathLocks {
    return this.#locks;
  }

  async #drain(graceMs: number | null): Promise<void> {
    this.intake.close();
    for (const queue of this.#queues.values()) {
      queue.close();
      for (let job: Job | undefined; (job = queue.tryGet()) !== undefined;) {
        this.#handed.abandon(job);
        queue.taskDone();
      }
    }
    if (graceMs !== null) this.#o.events.emit({ type: 'draining', inFlight: this.#running.size, graceMs });
    const timer = graceMs === null ? undefined : setTimeout(() => this.abort(), graceMs);
    try {
      await this.#settled();
    } finally {
      clearTimeout(timer);
    }
    this.abort();
    await Promise.all(this.#dispatchers);
    await this.#settled();
    this.#handed.abandonAll();
    this.#durability.close();
  }

  /** Resolves when no job runs, including any that started while it waited. */
  async #settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Aborts every job in flight at once (a second signal, or the grace ran out). */
  abort(): void {
    if (!this.#abort.signal.aborted) this.#abort.abort(new AbortedError('shutting down'));
  }
}
