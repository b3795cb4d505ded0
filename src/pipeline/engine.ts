import { setMaxListeners } from 'node:events';
import type { ResolvedConfig, ResolvedPipeline } from '../config/resolved.js';
import { BoundedQueue } from '../core/bounded-queue.js';
import { KeyedLock } from '../core/keyed-lock.js';
import { Semaphore } from '../core/semaphore.js';
import { AbortedError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import type { StateStore } from '../state/store.js';
import type { TransformLog } from '../transforms/types.js';
import { DirCache } from './files.js';
import { Intake } from './intake.js';
import type { Job, JobOutcome } from './job.js';
import { runJob, type JobContext } from './run-job.js';

export interface EngineOptions {
  readonly config: ResolvedConfig;
  readonly store: StateStore;
  readonly events: EventBus;
  readonly log: TransformLog;
  /** Told when a watch hint was dropped for lack of room: the caller schedules a rescan. */
  readonly onOverflow?: () => void;
  /** Told when the engine cannot go on (the state store failed). */
  readonly onFatal: (err: unknown) => void;
}

/** Fewest files that may settle at once; more with a larger queue. */
const minSettleCapacity = 1024;

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
  readonly #abort = new AbortController();
  readonly #locks = new KeyedLock<string>();
  readonly #dirs = new DirCache();
  #dispatchers: Promise<void>[] = [];
  #draining: Promise<void> | null = null;

  constructor(options: EngineOptions) {
    this.#o = options;
    // Every job in flight waits on this signal in several places (pools, locks, stage deadlines, backoff); jobs in flight
    // are bounded by the dispatchers' slots, so the count is bounded too, but above Node's default warning level.
    setMaxListeners(0, this.#abort.signal);
    for (const p of options.config.pipelines) this.#queues.set(p.name, new BoundedQueue<Job>(options.config.queue.capacity));
    this.intake = new Intake({
      store: options.store, queues: this.#queues, events: options.events,
      settleCapacity: Math.max(minSettleCapacity, options.config.queue.capacity),
      onOverflow: () => options.onOverflow?.(), onFatal: (err) => options.onFatal(err),
    });
  }

  /** Files waiting in the queues. */
  get queued(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.size;
    return n;
  }

  get inFlight(): number {
    return this.#running.size;
  }

  start(): void {
    this.#dispatchers = this.#o.config.pipelines.map((p) => this.#dispatch(p));
  }

  async #dispatch(p: ResolvedPipeline): Promise<void> {
    const queue = this.#queues.get(p.name)!;
    const pools = p.stages.map((s) => new Semaphore(s.concurrency));
    // Jobs past the queue: enough to keep every stage busy while some jobs wait out a retry backoff.
    const slots = new Semaphore(Math.max(4, 2 * p.stages.reduce((n, s) => n + s.concurrency, 0)));
    const ctx: JobContext = {
      store: this.#o.store, events: this.#o.events, locks: this.#locks, dirs: this.#dirs, pools,
      signal: this.#abort.signal, log: this.#o.log,
    };
    for (;;) {
      let release: () => void;
      let job: Job;
      try {
        release = await slots.acquire({ signal: this.#abort.signal });
      } catch {
        return;
      }
      try {
        job = await queue.get();
      } catch {
        release();
        return;
      }
      this.intake.started(job);
      const run: Promise<void> = runJob(job, ctx)
        .then((outcome) => this.#finish(job, outcome), (err: unknown) => this.#o.onFatal(err))
        .finally(() => {
          release();
          queue.taskDone();
          this.#running.delete(run);
        });
      this.#running.add(run);
    }
  }

  #finish(job: Job, outcome: JobOutcome): void {
    const at = { pipeline: job.pipeline.name, path: job.relPath };
    const { events } = this.#o;
    switch (outcome.type) {
      case 'processed':
        events.emit({ type: 'processed', ...at, outputs: outcome.outputs, durationMs: Date.now() - job.queuedAt });
        break;
      case 'failed':
        events.emit({ type: 'failed', ...at, stage: outcome.stage, attempts: outcome.attempts, code: outcome.code, message: outcome.message });
        break;
      case 'changed': events.emit({ type: 'changed', ...at }); break;
      case 'vanished':
        events.emit({ type: 'skipped', ...at, reason: 'the file vanished while it was processed', code: 'INPUT_VANISHED' });
        break;
      case 'aborted': events.emit({ type: 'aborted', ...at }); break;
      case 'disposed': break;
    }
    this.intake.finished(job, outcome.type === 'changed');
  }

  /** Stops taking work, waits up to `graceMs` for jobs in flight, then aborts them. Idempotent. */
  drain(graceMs: number): Promise<void> {
    this.#draining ??= this.#drain(graceMs);
    return this.#draining;
  }

  async #drain(graceMs: number): Promise<void> {
    this.intake.close();
    for (const queue of this.#queues.values()) {
      queue.close();
      while (queue.tryGet() !== undefined) queue.taskDone();
    }
    this.#o.events.emit({ type: 'draining', inFlight: this.#running.size, graceMs });
    const timer = setTimeout(() => this.abort(), graceMs);
    try {
      await Promise.all([...this.#running]);
    } finally {
      clearTimeout(timer);
    }
    this.abort();
    await Promise.all(this.#dispatchers);
  }

  /** Aborts every job in flight at once (a second signal, or the grace ran out). */
  abort(): void {
    if (!this.#abort.signal.aborted) this.#abort.abort(new AbortedError('shutting down'));
  }
}
