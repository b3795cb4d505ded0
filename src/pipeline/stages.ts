import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedStage } from '../config/resolved.js';
import { sleep, withTimeout } from '../core/abort.js';
import type { Semaphore } from '../core/semaphore.js';
import { SluiceError, StageTimeoutError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import { EXEC_KILL_GRACE_MS } from '../transforms/builtin/exec.js';
import type { TransformLog, TransformResult } from '../transforms/types.js';
import type { DirCache } from './files.js';
import type { Job } from './job.js';
import type { OutputTarget } from './output-paths.js';
import { resultFiles } from './result-folder.js';
import { tempPath } from './temp-files.js';

export interface StagesContext {
  readonly job: Job;
  readonly attempt: number;
  /** One worker pool per stage. */
  readonly pools: readonly Semaphore[];
  readonly signal: AbortSignal;
  readonly events: EventBus;
  readonly log: TransformLog;
  readonly dirs: DirCache;
  /** Every temp path handed out, so the caller can remove them whatever happens. */
  readonly temps: string[];
  /** The stage running now (its `use`), for error reports. */
  current: string;
}

/**
 * The last stage's result: its temp file and whether that stage already fsynced it, or (a folder output) its result
 * folder and the files in it (relative, `/` separators).
 */
export type StagesResult =
  | { readonly kind: 'file'; readonly temp: string; readonly durable: boolean }
  | { readonly kind: 'folder'; readonly dir: string; readonly files: readonly string[] };

/** Runs every stage in order, each in its pool and under its deadline, towards `target`. */
export async function runStages(ctx: StagesContext, target: OutputTarget): Promise<StagesResult> {
  const { job } = ctx;
  const source = { path: job.absPath, relPath: job.relPath, size: job.fingerprint.size, mtimeMs: job.fingerprint.mtimeMs };
  let input = job.absPath;
  let result: StagesResult | undefined;
  for (const stage of job.pipeline.stages) {
    ctx.current = stage.use;
    const last = stage.index === job.pipeline.stages.length - 1;
    const folder = last && target.kind === 'folder';
    const output = tempPath(job.pipeline.output.dir, stage.index, folder ? null : tempExtOf(stage, last, target, job));
    ctx.temps.push(output);
    await ctx.dirs.ensure(folder ? output : path.dirname(output));
    const started = performance.now();
    const event = { pipeline: job.pipeline.name, path: job.relPath, stage: stage.use, attempt: ctx.attempt };
    const run = {
      input, output: folder ? undefined : output, outputDir: folder ? output : undefined, source, options: stage.options,
      log: ctx.log, last, pipeline: job.pipeline.name, stage: stage.index, attempt: ctx.attempt,
    };
    const done = await ctx.pools[stage.index]!.run(() => {
      ctx.events.emit({ type: 'stage-start', ...event });
      return runOne(stage, run, ctx.signal);
    }, { signal: ctx.signal });
    if (folder) result = { kind: 'folder', dir: output, files: await resultFiles(output, job.pipeline.output.maxFiles, stage.use) };
    else {
      result = { kind: 'file', temp: output, durable: done?.durable === true };
      if (!result.durable) await expectOutput(stage, output);
    }
    ctx.events.emit({ ...event, type: 'stage', durationMs: Math.round(performance.now() - started) });
    input = output;
  }
  return result!;
}

/** The extension of a stage's temp file: the output path's for the last stage, else the stage's `ext` or the input's. */
function tempExtOf(stage: ResolvedStage, last: boolean, target: OutputTarget, job: Job): string {
  if (last && target.kind === 'file') return path.extname(target.final);
  return stage.ext ?? path.posix.extname(job.relPath);
}

type Ctx = Omit<Parameters<ResolvedStage['transform']['run']>[0], 'signal'>;

/**
 * How long a transform cut off by its deadline or by shutdown gets to wind down before it is abandoned. Long enough for
 * exec to kill its child (SIGTERM, then SIGKILL after EXEC_KILL_GRACE_MS): the child must not outlive sluice, nor write
 * into the attempt's temp file after the attempt has removed it.
 */
export const WIND_DOWN_MS = EXEC_KILL_GRACE_MS + 1000;

// biome-ignore lint/suspicious/noConfusingVoidType: what TransformDefinition.run resolves to
async function runOne(stage: ResolvedStage, ctx: Ctx, signal: AbortSignal): Promise<TransformResult | void> {
  // biome-ignore lint/suspicious/noConfusingVoidType: as above
  let work: Promise<TransformResult | void> | undefined;
  try {
    return await withTimeout((inner) => (work = stage.transform.run({ ...ctx, signal: inner })), stage.timeoutMs, {
      signal,
      onTimeout: () => new StageTimeoutError(stage.use, stage.timeoutMs),
    });
  } catch (err) {
    if (work) await settledWithin(work, WIND_DOWN_MS);
    throw err;
  }
}

/** Resolves when `work` settles or after `ms`, whichever is first; never rejects. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  const timer = new AbortController();
  try {
    await Promise.race([work.then(() => {}, () => {}), sleep(ms, { signal: timer.signal }).catch(() => {})]);
  } finally {
    timer.abort();
  }
}

async function expectOutput(stage: ResolvedStage, output: string): Promise<void> {
  try {
    const stat = await fs.stat(output);
    if (stat.isFile()) return;
  } catch {
    // Falls through to the error below.
  }
  throw new SluiceError('NO_OUTPUT',
    `stage ${stage.use} finished without writing its output file ({out}, $SLUICE_OUTPUT, ctx.output)`,
    { kind: 'permanent', context: { stage: stage.use } });
}
