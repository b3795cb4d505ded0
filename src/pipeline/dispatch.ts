import type { ResolvedPipeline } from '../config/resolved.js';
import type { BoundedQueue } from '../core/bounded-queue.js';
import { Semaphore, type Release } from '../core/semaphore.js';
import type { Durability } from './durability.js';
import type { Job, JobOutcome } from './job.js';
import { batchSteps, fitsBatch, runBatch } from './run-batch.js';
import { runJob, type JobContext } from './run-job.js';
import { Slot } from './slot.js';

/** What a pipeline's dispatcher needs of its engine. */
export interface DispatchHost {
  readonly signal: AbortSignal;
  readonly durability: Durability;
  /** Batches under way at once, across pipelines: one per worker thread and one more (see dispatch). */
  readonly lanes: Semaphore;
  /** True once the engine drains: a job taken off the queue then is left for next time. */
  draining(): boolean;
  /** A job left the queue (the intake marks it running). */
  started(job: Job): void;
  /** Runs until the engine has seen it settle. */
  track(run: Promise<void>): void;
  finish(job: Job, outcome: JobOutcome): void;
  fatal(err: unknown): void;
}

/** Most small files in one batch: enough to share flushes and transactions, few enough for both worker threads to
 * get one while the queue is short. Measured in the README (Performance). */
export const batchFiles = 128;

/**
 * Takes one pipeline's jobs off its queue while its slots (jobs past the queue) allow, and runs each: small inputs of a
 * batchable pipeline together as one batch (run-batch.ts), every other job on its own (run-job.ts). Returns when the
 * queue closes, the engine aborts, or a drain begins.
 */
export async function dispatch(p: ResolvedPipeline, queue: BoundedQueue<Job>, ctx: JobContext, host: DispatchHost): Promise<void> {
  const steps = batchSteps(p);
  // Slots: enough to keep every stage busy while some jobs wait out a retry backoff, and a full batch in every lane. A
  // job waiting for a group commit hands its place to the next (see Slot).
  const stageSlots = Math.max(4, 2 * p.stages.reduce((n, s) => n + s.concurrency, 0));
  const slots = new Semaphore(stageSlots + (steps ? host.lanes.permits * batchFiles : 0));
  const batchCtx = steps && { ...ctx, durability: host.durability, steps };
  for (;;) {
    const next = await take(queue, slots, host);
    if (next === null) return;
    const [job, release] = next;
    if (batchCtx === null || !fitsBatch(job)) {
      runOne(job, release, slots, queue, ctx, host);
      continue;
    }
    // A batch is gathered only once a lane is free: while the worker threads are busy, files pile up in the queue, so
    // batches grow with the load and a lone file goes at once.
    let lane: Release;
    try {
      lane = await host.lanes.acquire({ signal: host.signal });
    } catch {
      release();
      queue.taskDone();
      return;
    }
    const jobs = [job];
    const releases = [release, lane];
    for (let more: Release | undefined; jobs.length < batchFiles && (more = slots.tryAcquire());) {
      const extra = queue.tryGet();
      if (extra === undefined) {
        more();
        break;
      }
      host.started(extra);
      if (fitsBatch(extra)) {
        jobs.push(extra);
        releases.push(more);
      } else runOne(extra, more, slots, queue, ctx, host);
    }
    host.track(runBatch(jobs, batchCtx)
      .then((outcomes) => outcomes.forEach((outcome, n) => void host.finish(jobs[n]!, outcome)), (err: unknown) => host.fatal(err))
      .finally(() => {
        for (const r of releases) r();
        for (const _ of jobs) queue.taskDone();
      }));
  }
}

/** The next job and its slot, or null when dispatching is over. */
async function take(queue: BoundedQueue<Job>, slots: Semaphore, host: DispatchHost): Promise<[Job, Release] | null> {
  let release: Release;
  let job: Job;
  try {
    release = await slots.acquire({ signal: host.signal });
  } catch {
    return null;
  }
  try {
    job = await queue.get();
  } catch {
    release();
    return null;
  }
  if (host.draining()) {
    // Taken off the queue as the drain began: left untouched for next time, like the rest of the queue.
    release();
    queue.taskDone();
    return null;
  }
  host.started(job);
  return [job, release];
}

function runOne(job: Job, release: Release, slots: Semaphore, queue: BoundedQueue<Job>, ctx: JobContext, host: DispatchHost): void {
  const slot = new Slot(slots, release);
  host.track(runJob(job, ctx, slot)
    .then((outcome) => host.finish(job, outcome), (err: unknown) => host.fatal(err))
    .finally(() => {
      slot.release();
      queue.taskDone();
    }));
}
