import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline as pump } from 'node:stream/promises';
import { crashPoint, faultArmed } from '../core/fault.js';
import type { PathLocks } from './path-locks.js';
import { SluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import { absentSize, sameFingerprint, type FileRecord, type Finish, type StateStore } from '../state/store.js';
import { fingerprintOf } from '../watch/settle.js';
import { fsyncDir, fsyncFile } from '../fs/durable.js';
import { confirmHeld, confirmLocks } from './confirm.js';
import { renameInto, type DirCache } from './files.js';
import type { Job } from './job.js';

export interface CommitContext {
  readonly job: Job;
  /** The last stage's temp file. */
  readonly temp: string;
  /** The temp file is already fsynced (the stage did it). */
  readonly durable?: boolean;
  /** Where the output goes. */
  readonly final: string;
  readonly store: StateStore;
  readonly locks: PathLocks;
  readonly dirs: DirCache;
  readonly signal: AbortSignal;
  readonly attempts: number;
  /** Told how long the output path's lock took (the `lock-wait` event). */
  readonly events?: EventBus;
}

/**
 * The commit of an append-mode result (replace mode goes through GroupCommit): fsync the result; take the output
 * path's lock; check the input is still the version that was processed; append it as one block, journalled so start-up
 * can cut a half-written block away; fsync the folder; record success. A crash at any step leaves the old output or
 * the new one.
 */
export async function commit(ctx: CommitContext): Promise<FileRecord> {
  crashPoint('after-temp-write');
  if (!ctx.durable) await fsyncFile(ctx.temp);
  crashPoint('after-fsync');
  const waitStarted = performance.now();
  const release = await ctx.locks.acquire(ctx.final, { signal: ctx.signal });
  ctx.events?.emit({
    type: 'lock-wait', pipeline: ctx.job.pipeline.name, path: ctx.job.relPath, output: ctx.final,
    waitMs: performance.now() - waitStarted,
  });
  try {
    crashPoint('after-lock');
    await assertInputUnchanged(ctx.job);
    await confirmHeld([ctx.job], [ctx.final], ctx.locks);
    const dir = path.dirname(ctx.final);
    await ctx.dirs.ensure(dir);
    const record = await commitAppend(ctx, dir);
    crashPoint('after-record');
    return record;
  } finally {
    release();
  }
}

/**
 * Adds the result to `final` as one block. The intent (the size before, or `absentSize` when the block creates the file
 * by rename) is recorded first and cleared with the success record, so whatever happens in between — a crash, an error
 * — the block is cut away (here, or by start-up recovery) and the redo cannot add it twice.
 */
async function commitAppend(ctx: CommitContext, dir: string): Promise<FileRecord> {
  const size = await sizeOf(ctx.final);
  await ctx.store.beginAppend({ path: ctx.final, size: size ?? absentSize });
  try {
    if (size === null) await renameInto(ctx.temp, ctx.final, ctx.dirs);
    else await appendBlock(ctx.temp, ctx.final);
    crashPoint('after-rename');
    await ctx.dirs.sync(dir);
    await confirmLocks([ctx.final], ctx.locks);
    const record = doneRecord(ctx.job, [ctx.final], ctx.attempts);
    await ctx.store.put(record, ctx.final);
    return record;
  } catch (err) {
    if (err instanceof SluiceError && err.kind === 'fatal') throw err;
    // Cut back durably before the intent goes. If that fails the output cannot take another block safely: stop, and
    // let start-up recovery cut it back from the intent, which stays.
    try {
      if (size === null) await fs.rm(ctx.final, { force: true }).then(() => fsyncDir(dir));
      else await fs.truncate(ctx.final, size).then(() => fsyncFile(ctx.final));
    } catch (cutErr) {
      throw new SluiceError('APPEND_CUT_FAILED',
        `could not cut the append output ${ctx.final} back to ${size ?? 0} bytes after a failed append ` +
        `(${(cutErr as Error).message}); sluice stops, and the next start cuts it back`,
        { kind: 'fatal', cause: cutErr, context: { path: ctx.final } });
    }
    await ctx.store.endAppend(ctx.final);
    throw err;
  }
}

/** Appends `temp` to `final` and fsyncs it, then removes `temp`. */
async function appendBlock(temp: string, final: string): Promise<void> {
  // The test-only mid-append fault writes the block in two halves and may crash in between.
  const half = faultArmed('mid-append') ? Math.floor((await fs.stat(temp)).size / 2) : 0;
  if (half > 0) {
    await appendRange(temp, final, 0, half);
    await fsyncFile(final);
    crashPoint('mid-append');
  }
  await appendRange(temp, final, half, Infinity);
  await fsyncFile(final);
  await fs.rm(temp, { force: true });
}

/** Appends bytes [start, end) of `from` to `to`. */
async function appendRange(from: string, to: string, start: number, end: number): Promise<void> {
  const range = end === Infinity ? { start } : { start, end: end - 1 };
  await pump(createReadStream(from, range), createWriteStream(to, { flags: 'a' }));
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Throws INPUT_CHANGED when the input is no longer the version the job read: its output must not be committed. */
export async function assertInputUnchanged(job: Job): Promise<void> {
  let stat;
  try {
    stat = await fs.lstat(job.absPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SluiceError('INPUT_VANISHED', 'the input vanished while it was processed', { kind: 'permanent' });
    }
    throw err;
  }
  if (!stat.isFile() || !sameFingerprint(fingerprintOf(stat), job.fingerprint)) {
    throw new SluiceError('INPUT_CHANGED', 'the input changed while it was processed', { kind: 'permanent' });
  }
}

/** The success record of `job`, whose results are now at `outputs`, owing `finish` (see Finish). */
export function doneRecord(job: Job, outputs: readonly string[], attempts: number, finish: Finish | null = null): FileRecord {
  return {
    pipeline: job.pipeline.name, relPath: job.relPath, fingerprint: job.fingerprint, hash: job.pipeline.hash,
    status: 'done', outputs, attempts, stage: null, error: null, updatedAt: Date.now(),
    disposed: job.pipeline.onSuccess.kind === 'keep', finish,
  };
}
