import fs from 'node:fs';
import { sleep } from '../core/abort.js';
import { backoffDelay } from '../core/backoff.js';
import type { PathLocks } from './path-locks.js';
import type { Semaphore } from '../core/semaphore.js';
import type { Slot } from './slot.js';
import { toSluiceError, type SluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import type { FileRecord, StateStore } from '../state/store.js';
import type { TransformLog } from '../transforms/types.js';
import { assertInputUnchanged, commit } from './commit.js';
import { dispose, disposeFailed } from './dispose.js';
import type { GroupCommit } from './group-commit.js';
import type { DirCache } from './files.js';
import type { Job, JobOutcome } from './job.js';
import { outputMarkerPath, outputTarget } from './output-paths.js';
import { runStages, type StagesContext } from './stages.js';
import { runFinishes } from './finish.js';
import { outputsOf } from './publish.js';
import { removeTemps } from './temp-files.js';

export interface JobContext {
  readonly store: StateStore;
  readonly events: EventBus;
  readonly locks: PathLocks;
  readonly dirs: DirCache;
  /** Worker pools of the job's pipeline, one per stage. */
  readonly pools: readonly Semaphore[];
  readonly signal: AbortSignal;
  readonly log: TransformLog;
  /** Where replace-mode results are committed (append mode commits one by one). */
  readonly group: GroupCommit;
  /** Places in the group commit: a job takes one before it hands its Slot off. */
  readonly committing: Semaphore;
}

/**
 * Runs one job to an outcome: attempts with backoff for transient errors, at once for permanent ones; records the
 * result and disposes of the input. Throws only fatal errors (the state store failed).
 */
export async function runJob(job: Job, ctx: JobContext, slot?: Slot): Promise<JobOutcome> {
  if (job.kind === 'dispose') {
    // The input is disposed of only once its commit's finish is done: until then its outputs are not complete.
    const unfinished = job.record!.finish != null ? await finishSafely(job, job.record!, ctx) : null;
    if (unfinished) return unfinished;
    await disposeSafely(job, job.record!, ctx);
    return { type: 'disposed' };
  }
  const { retry } = job.pipeline;
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal.aborted) return { type: 'aborted' };
    try {
      await slot?.reclaim(ctx.signal);
    } catch {
      return { type: 'aborted' };
    }
    ctx.events.emit({ type: 'started', pipeline: job.pipeline.name, path: job.relPath, attempt });
    const stages: StagesContext = { ...ctx, job, attempt, temps: [], current: 'input' };
    try {
      const { record, disposed, skipped, folder } = await attemptOnce(job, stages, ctx, slot);
      // The last temp file is committed (renamed into place, or appended and removed); a result folder is emptied.
      if (!folder && skipped === 0) stages.temps.pop();
      if (!disposed) await disposeSafely(job, record, ctx);
      return { type: 'processed', outputs: record.outputs, ...(skipped > 0 ? { skipped: 'output exists' } : {}) };
    } catch (err) {
      const error = toSluiceError(err, { stage: stages.current });
      if (error.kind === 'fatal') throw error;
      if (ctx.signal.aborted) return { type: 'aborted' };
      if (error.code === 'INPUT_CHANGED') return { type: 'changed' };
      // Another node runs it now (the shared queue gave it away): nothing of this attempt may be recorded.
      if (error.code === 'JOB_LOST') return { type: 'aborted' };
      if (error.code === 'INPUT_VANISHED' || !fs.existsSync(job.absPath)) return { type: 'vanished' };
      if (error.kind === 'permanent' || attempt >= retry.attempts) return fail(job, stages.current, attempt, error, ctx);
      const delayMs = Math.round(backoffDelay(attempt, retry));
      ctx.events.emit({
        type: 'retry', pipeline: job.pipeline.name, path: job.relPath, stage: stages.current, attempt,
        code: error.code, message: error.message, delayMs,
      });
      try {
        await sleep(delayMs, { signal: ctx.signal });
      } catch {
        return { type: 'aborted' };
      }
    } finally {
      await removeTemps(stages.temps);
    }
  }
}

interface Attempted {
  readonly record: FileRecord;
  /** The input is disposed of already (a group commit does that too). */
  readonly disposed: boolean;
  /** Outputs left as they were (output.conflict: keep). */
  readonly skipped: number;
  readonly folder: boolean;
}

/** One attempt: stages, then commit. */
async function attemptOnce(job: Job, stages: StagesContext, ctx: JobContext, slot?: Slot): Promise<Attempted> {
  // The intake fingerprinted the input just before queueing it; a retry looks again before redoing the work. Either
  // way the commit checks once more, under the output's lock, before anything is published.
  if (stages.attempt > 1) await assertInputUnchanged(job);
  stages.current = 'output';
  const target = outputTarget(job);
  const marker = outputMarkerPath(job);
  const result = await runStages(stages, target);
  stages.current = 'commit';
  if (job.pipeline.output.mode !== 'append') {
    const place = await ctx.committing.acquire({ signal: ctx.signal });
    slot?.handOff();
    try {
      const { record, skipped } = await ctx.group.commit({ job, result, target, marker, attempts: stages.attempt });
      return { record, disposed: true, skipped, folder: result.kind === 'folder' };
    } finally {
      place();
    }
  }
  // Config load refuses folder outputs in append mode: the result is a file.
  const { temp, durable } = result as Extract<typeof result, { kind: 'file' }>;
  const final = (target as Extract<typeof target, { kind: 'file' }>).final;
  const record = await commit({
    job, temp, durable, final, store: ctx.store, locks: ctx.locks, dirs: ctx.dirs, signal: ctx.signal, attempts: stages.attempt,
    events: ctx.events,
  });
  ctx.events.emit({ type: 'committed', pipeline: job.pipeline.name, path: job.relPath, output: final });
  return { record, disposed: false, skipped: 0, folder: false };
}

/**
 * Disposal happens after the result is recorded, so its failure never redoes the processing: it is reported, the
 * record keeps saying the disposal is pending, and the next scan or start finishes it.
 */
async function disposeSafely(job: Job, record: FileRecord, ctx: JobContext): Promise<void> {
  try {
    await dispose(job, record, ctx);
  } catch (err) {
    const error = toSluiceError(err);
    if (error.kind === 'fatal') throw error;
    disposeFailed(job, error, ctx.events);
  }
}

/**
 * Does the finish a recorded commit still owes (its stale outputs, its completion marker) under those paths' locks, and
 * clears it. A failure is the job's outcome (FINISH_FAILED, transient: a run reports it and exits 1) and leaves the
 * finish owed, for the next scan or start.
 */
async function finishSafely(job: Job, record: FileRecord, ctx: JobContext): Promise<JobOutcome | null> {
  const finish = record.finish!;
  let release = () => {};
  try {
    release = await ctx.locks.acquireAll([...finish.remove, ...(finish.marker === null ? [] : [finish.marker])], { signal: ctx.signal });
    await runFinishes([{ finish, root: job.pipeline.output.dir }], ctx.dirs, (dirs) => Promise.all(dirs.map((d) => ctx.dirs.sync(d))).then(() => {}));
    await ctx.store.markAllFinished([record]);
    return null;
  } catch (err) {
    const error = toSluiceError(err);
    if (error.kind === 'fatal') throw error;
    const message = `could not finish the commit of ${job.relPath} (${error.code}: ${error.message}); the next scan tries again`;
    return { type: 'failed', code: 'FINISH_FAILED', message, stage: 'commit', attempts: 1, errorClass: 'transient' };
  } finally {
    release();
  }
}

/**
 * Records a failure and disposes of the input. A folder output's failed record keeps listing the outputs the input's
 * earlier results left (they stay where they are): its next success removes those it does not produce again.
 */
async function fail(job: Job, stage: string, attempts: number, error: SluiceError, ctx: JobContext): Promise<JobOutcome> {
  const left = job.pipeline.output.template.folder ? outputsOf(await ctx.store.get(job.pipeline.name, job.relPath)) : [];
  const record: FileRecord = {
    pipeline: job.pipeline.name, relPath: job.relPath, fingerprint: job.fingerprint, hash: job.pipeline.hash,
    status: 'failed', outputs: left, attempts, stage,
    error: { code: error.code, message: error.message, kind: error.kind === 'transient' ? 'transient' : 'permanent' },
    updatedAt: Date.now(), disposed: job.pipeline.onFailure.kind === 'keep',
  };
  await ctx.store.put(record);
  await disposeSafely(job, record, ctx);
  return { type: 'failed', code: error.code, message: error.message, stage, attempts, errorClass: error.kind === 'permanent' ? 'permanent' : 'transient' };
}
