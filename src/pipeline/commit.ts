import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline as pump } from 'node:stream/promises';
import type { KeyedLock } from '../core/keyed-lock.js';
import { SluiceError } from '../errors.js';
import { sameFingerprint, type FileRecord, type StateStore } from '../state/store.js';
import { fingerprintOf } from '../watch/settle.js';
import { fsyncFile, renameInto, type DirCache } from './files.js';
import type { Job } from './job.js';

export interface CommitContext {
  readonly job: Job;
  /** The last stage's temp file. */
  readonly temp: string;
  /** Where the output goes. */
  readonly final: string;
  readonly store: StateStore;
  readonly locks: KeyedLock<string>;
  readonly dirs: DirCache;
  readonly signal: AbortSignal;
  readonly attempts: number;
}

/**
 * The commit protocol: fsync the result; take the output path's lock; check the input is still the version that was
 * processed; rename into place (replace) or append one block (append, journalled so start-up can cut a half-written
 * block away); fsync the folder; record success. A crash at any step leaves the old output or the new one.
 */
export async function commit(ctx: CommitContext): Promise<FileRecord> {
  await fsyncFile(ctx.temp);
  const release = await ctx.locks.acquire(ctx.final, { signal: ctx.signal });
  try {
    await assertInputUnchanged(ctx.job);
    const dir = path.dirname(ctx.final);
    await ctx.dirs.ensure(dir);
    const existing = ctx.job.pipeline.output.mode === 'append' ? await sizeOf(ctx.final) : null;
    if (existing !== null) await appendBlock(ctx, existing);
    else await renameInto(ctx.temp, ctx.final, ctx.dirs);
    await ctx.dirs.sync(dir);
    const record = doneRecord(ctx);
    ctx.store.put(record, existing !== null ? ctx.final : undefined);
    return record;
  } finally {
    release();
  }
}

/** Appends the temp file to `final`, whose size (read under the path lock) is `size`. */
async function appendBlock(ctx: CommitContext, size: number): Promise<void> {
  ctx.store.beginAppend({ path: ctx.final, size });
  try {
    const out = createWriteStream(ctx.final, { flags: 'a' });
    await pump(createReadStream(ctx.temp), out);
    await fsyncFile(ctx.final);
  } catch (err) {
    await fs.truncate(ctx.final, size).catch(() => {});
    ctx.store.endAppend(ctx.final);
    throw err;
  }
  await fs.rm(ctx.temp, { force: true });
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

function doneRecord(ctx: CommitContext): FileRecord {
  const { job } = ctx;
  return {
    pipeline: job.pipeline.name, relPath: job.relPath, fingerprint: job.fingerprint, hash: job.pipeline.hash,
    status: 'done', outputs: [ctx.final], attempts: ctx.attempts, stage: null, error: null, updatedAt: Date.now(),
    disposed: job.pipeline.onSuccess.kind === 'keep',
  };
}
