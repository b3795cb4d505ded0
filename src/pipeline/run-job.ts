import fs from 'node:fs';
import path from 'node:path';
import { renderRaw, templateValues } from '../config/template.js';
import { sleep } from '../core/abort.js';
import { backoffDelay } from '../core/backoff.js';
import type { KeyedLock } from '../core/keyed-lock.js';
import type { Semaphore } from '../core/semaphore.js';
import type { Slot } from './slot.js';
import { SluiceError, toSluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import type { FileRecord, StateStore } from '../state/store.js';
import type { TransformLog } from '../transforms/types.js';
import { assertInputUnchanged, commit } from './commit.js';
import { dispose, disposeFailed } from './dispose.js';
import type { GroupCommit } from './group-commit.js';
import type { DirCache } from './files.js';
import type { Job, JobOutcome } from './job.js';
import { runStages, type StagesContext } from './stages.js';
import { removeTemps } from './temp-files.js';

export interface JobContext {
  readonly store: StateStore;
  readonly events: EventBus;
  readonly locks: KeyedLock<string>;
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
      const { record, disposed } = await attemptOnce(job, stages, ctx, slot);
      stages.temps.pop(); // The last temp is committed: renamed into place or appended and removed.
      if (!disposed) await disposeSafely(job, record, ctx);
      return { type: 'processed', outputs: record.outputs };
    } catch (err) {
      const error = toSluiceError(err, { stage: stages.current });
      if (error.kind === 'fatal') throw error;
      if (ctx.signal.aborted) return { type: 'aborted' };
      if (error.code === 'INPUT_CHANGED') return { type: 'changed' };
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

/**
 * One attempt: stages, then commit; returns the success record, and whether the input is disposed of already (a
 * group commit does that too).
 */
async function attemptOnce(job: Job, stages: StagesContext, ctx: JobContext, slot?: Slot): Promise<{ record: FileRecord; disposed: boolean }> {
  // The intake fingerprinted the input just before queueing it; a retry looks again before redoing the work. Either
  // way the commit checks once more, under the output's lock, before anything is published.
  if (stages.attempt > 1) await assertInputUnchanged(job);
  const { temp, durable } = await runStages(stages);
  stages.current = 'commit';
  const final = outputPath(job);
  if (job.pipeline.output.mode !== 'append') {
    const place = await ctx.committing.acquire({ signal: ctx.signal });
    slot?.handOff();
    try {
      return { record: await ctx.group.commit({ job, temp, durable, final, attempts: stages.attempt }), disposed: true };
    } finally {
      place();
    }
  }
  const record = await commit({
    job, temp, durable, final, store: ctx.store, locks: ctx.locks, dirs: ctx.dirs, signal: ctx.signal, attempts: stages.attempt,
    events: ctx.events,
  });
  ctx.events.emit({ type: 'committed', pipeline: job.pipeline.name, path: job.relPath, output: final });
  return { record, disposed: false };
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

/** The rendered output path; OUTPUT_ESCAPES (permanent) when it would leave output.dir. */
export function outputPath(job: Job): string {
  const { output, name } = job.pipeline;
  const rel = renderRaw(output.template, templateValues(job.relPath, name));
  if (rel === null) {
    throw new SluiceError('OUTPUT_ESCAPES',
      `output.path "${output.template.source}" renders to a path outside output.dir (or to no file at all) for ${job.relPath}`,
      { kind: 'permanent', context: { stage: 'output' } });
  }
  return path.join(output.dir, rel);
}

async function fail(job: Job, stage: string, attempts: number, error: SluiceError, ctx: JobContext): Promise<JobOutcome> {
  const record: FileRecord = {
    pipeline: job.pipeline.name, relPath: job.relPath, fingerprint: job.fingerprint, hash: job.pipeline.hash,
    status: 'failed', outputs: [], attempts, stage, error: { code: error.code, message: error.message },
    updatedAt: Date.now(), disposed: job.pipeline.onFailure.kind === 'keep',
  };
  ctx.store.put(record);
  await disposeSafely(job, record, ctx);
  return { type: 'failed', code: error.code, message: error.message, stage, attempts, errorClass: error.kind === 'permanent' ? 'permanent' : 'transient' };
}
