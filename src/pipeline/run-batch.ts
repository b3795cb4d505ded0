import path from 'node:path';
import type { ResolvedPipeline } from '../config/resolved.js';
import { crashPoint } from '../core/fault.js';
import type { Release } from '../core/semaphore.js';
import { SluiceError } from '../errors.js';
import { postBatch, type BatchReply, type BatchResult, type BatchStep } from '../transforms/small-batch.js';
import { SMALL_FILE_MAX_BYTES, type SmallFileOp } from '../transforms/small-file.js';
import { doneRecord } from './commit.js';
import { disposeFailed } from './dispose.js';
import type { Durability } from './durability.js';
import type { Job, JobOutcome } from './job.js';
import { outputPath } from './output-paths.js';
import { runJob, type JobContext } from './run-job.js';
import { removeTemps, tempPath } from './temp-files.js';

export interface BatchContext extends JobContext {
  readonly durability: Durability;
  readonly steps: readonly BatchStep[];
}

const batchable: ReadonlySet<string> = new Set<SmallFileOp>(['copy', 'gzip', 'gunzip']);

/**
 * The steps of a pipeline that can run on the batched small-file path: replace mode, every stage a built-in copy,
 * gzip or gunzip (done in memory, one after the other, on a worker thread). Null for any other pipeline.
 */
export function batchSteps(p: ResolvedPipeline): BatchStep[] | null {
  const { output, input } = p;
  const plain = output.mode === 'replace' && !output.template.folder && output.conflict === 'replace' && output.marker === null;
  if (!plain || input.marker !== null || !p.stages.every((s) => batchable.has(s.transform.name))) return null;
  return p.stages.map((s) => ({ op: s.transform.name as SmallFileOp, level: (s.options as { level?: number } | undefined)?.level }));
}

/** A job the batched path takes: a process job whose input is small. */
export function fitsBatch(job: Job): boolean {
  return job.kind === 'process' && job.fingerprint.size <= SMALL_FILE_MAX_BYTES;
}

interface Planned {
  readonly n: number;
  readonly job: Job;
  readonly final: string;
  readonly temp: string;
  readonly release: Release;
}

/**
 * Runs small jobs of one batchable pipeline as one batch: locks taken without waiting, then one worker-thread request
 * does every file's read, transform, write, data flush, input re-check and rename; one transaction records them all;
 * one more request disposes of the inputs durably, and one transaction records that. The same events as the general
 * path. A file the batch cannot take (its lock is held, it is too big after all, it failed) runs on the general path,
 * which owns retries, backoff and failure records. Throws only fatal errors.
 */
export async function runBatch(jobs: readonly Job[], ctx: BatchContext): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = new Array(jobs.length);
  const planned: Planned[] = [];
  const general: number[] = [];
  plan(jobs, ctx, planned, general);
  if (planned.length > 0) {
    const done = await publish(planned, ctx, general);
    for (const p of done) outcomes[p.n] = { type: 'processed', outputs: [p.final] };
  }
  await Promise.all(general.map(async (n) => (outcomes[n] = await runJob(jobs[n]!, ctx))));
  return outcomes;
}

function plan(jobs: readonly Job[], ctx: BatchContext, planned: Planned[], general: number[]): void {
  const outputDir = jobs[0]!.pipeline.output.dir;
  const last = jobs[0]!.pipeline.stages.length - 1;
  jobs.forEach((job, n) => {
    let final: string;
    try {
      final = outputPath(job);
    } catch {
      general.push(n); // The general path reports OUTPUT_ESCAPES.
      return;
    }
    const release = ctx.locks.tryAcquire(final);
    if (release === undefined) general.push(n);
    else planned.push({ n, job, final, temp: tempPath(outputDir, last, path.extname(final)), release });
  });
}

/** Publishes and records the planned jobs; returns those that are done, adding the others to `general`. */
async function publish(planned: Planned[], ctx: BatchContext, general: number[]): Promise<Planned[]> {
  let done: Planned[] = [];
  try {
    const results = await commitOnWorker(planned, ctx);
    done = planned.filter((_, i) => results[i]!.ok);
    for (const _ of done) crashPoint('after-rename');
    await ctx.store.putAll(done.map((p) => doneRecord(p.job, [p.final], 1)));
    for (const _ of done) crashPoint('after-record');
    emitPublished(planned, results, ctx);
  } catch (err) {
    if (err instanceof SluiceError && err.kind === 'fatal') throw err;
    // The worker failed (nothing was recorded): every file goes the general way.
    done = [];
    await removeTemps(planned.map((p) => p.temp));
  } finally {
    for (const p of planned) p.release();
  }
  await disposeAll(done, ctx);
  const ok = new Set(done);
  for (const p of planned) if (!ok.has(p)) general.push(p.n);
  return done;
}

/**
 * The file-system part of the batch, on the worker threads: write every result, make the data durable, publish. Where
 * syncfs serves, the worker writes and renames without flushing and one shared syncfs between and after does it (the
 * worker never waits for the disk); elsewhere the worker fsyncs as it goes.
 */
async function commitOnWorker(planned: readonly Planned[], ctx: BatchContext): Promise<BatchResult[]> {
  const tempDir = path.dirname(planned[0]!.temp);
  for (const p of planned) {
    const at = { pipeline: p.job.pipeline.name, path: p.job.relPath };
    ctx.events.emit({ type: 'started', ...at, attempt: 1 });
    for (const s of p.job.pipeline.stages) ctx.events.emit({ type: 'stage-start', ...at, stage: s.use, attempt: 1 });
  }
  await ctx.dirs.ensure(tempDir);
  const method = await ctx.durability.method(tempDir, planned.length);
  const items = planned.map((p) => ({ input: p.job.absPath, temp: p.temp, final: p.final, fingerprint: p.job.fingerprint }));
  const results: BatchResult[] = [...(await postBatch({
    kind: 'write', steps: ctx.steps, items, maxBytes: SMALL_FILE_MAX_BYTES, sync: method === 'fsync',
  })).results];
  const written = items.flatMap((_, n) => (results[n]!.ok ? [n] : []));
  if (method === 'syncfs') await ctx.durability.files(written.map((n) => items[n]!.temp));
  const published = await postBatch({ kind: 'publish', items: written.map((n) => items[n]!), sync: method === 'fsync' });
  written.forEach((n, i) => {
    const before = results[n]!;
    const after = published.results[i]!;
    results[n] = after.ok && before.ok ? { ok: true, ms: before.ms + after.ms } : after;
  });
  if (method === 'syncfs') await ctx.durability.dirs(written.filter((n) => results[n]!.ok).map((n) => path.dirname(items[n]!.final)));
  return results;
}

/** The stage, lock-wait and committed events of every file the batch published. */
function emitPublished(planned: readonly Planned[], results: readonly BatchResult[], ctx: BatchContext): void {
  planned.forEach((p, i) => {
    const result = results[i]!;
    if (!result.ok) return;
    const at = { pipeline: p.job.pipeline.name, path: p.job.relPath };
    for (const s of p.job.pipeline.stages) ctx.events.emit({ type: 'stage', ...at, stage: s.use, attempt: 1, durationMs: Math.round(result.ms) });
    ctx.events.emit({ type: 'lock-wait', ...at, output: p.final, waitMs: 0 });
    ctx.events.emit({ type: 'committed', ...at, output: p.final });
  });
}

/** onSuccess for every published input, made durable by the worker, then recorded in one transaction. */
async function disposeAll(done: readonly Planned[], ctx: BatchContext): Promise<void> {
  const disposition = done[0]?.job.pipeline.onSuccess;
  if (!disposition || disposition.kind === 'keep') return;
  const moves = done.map((p) => ({ from: p.job.absPath, to: disposition.kind === 'move' ? path.join(disposition.dir, p.job.relPath) : null }));
  let reply: BatchReply;
  try {
    const inputs = await ctx.durability.method(done[0]!.job.pipeline.input.dir, moves.length);
    const target = disposition.kind === 'move' ? await ctx.durability.method(disposition.dir, moves.length) : inputs;
    const method = inputs === target ? inputs : 'fsync';
    reply = await postBatch({ kind: 'dispose', moves, sync: method === 'fsync' });
    if (method === 'syncfs') {
      await ctx.durability.dirs(moves.flatMap((m, i) => (reply.results[i]!.ok ? [path.dirname(m.from), ...(m.to ? [path.dirname(m.to)] : [])] : [])));
    }
  } catch (err) {
    for (const p of done) disposeFailed(p.job, err, ctx.events);
    return;
  }
  const disposed: Planned[] = [];
  done.forEach((p, i) => {
    const result = reply.results[i]!;
    if (!result.ok) {
      disposeFailed(p.job, Object.assign(new Error(result.error?.message), { code: result.error?.code }), ctx.events);
      return;
    }
    disposed.push(p);
    const at = { pipeline: p.job.pipeline.name, path: p.job.relPath };
    ctx.events.emit(moves[i]!.to === null ? { type: 'disposed', ...at, disposition: 'delete' } : { type: 'disposed', ...at, disposition: 'move', to: moves[i]!.to! });
    crashPoint('after-dispose');
  });
  await ctx.store.markAllDisposed(disposed.map((p) => ({ pipeline: p.job.pipeline.name, relPath: p.job.relPath })));
}
