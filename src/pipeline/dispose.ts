import fs from 'node:fs/promises';
import path from 'node:path';
import type { Disposition } from '../config/resolved.js';
import { crashPoint } from '../core/fault.js';
import { toSluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import type { FileRecord, StateStore } from '../state/store.js';
import { moveFile, writeFileAtomic, type DirCache } from './files.js';
import type { Job } from './job.js';
import { readyMarkerOf } from '../watch/ready-marker.js';

export interface DisposeContext {
  readonly store: StateStore;
  readonly events: EventBus;
  readonly dirs: DirCache;
}

/** The `.error.json` sidecar written beside a quarantined input. */
export interface ErrorSidecar {
  readonly pipeline: string;
  readonly stage: string;
  readonly attempts: number;
  readonly error: { readonly code: string; readonly message: string };
  readonly failedAt: string;
}

/**
 * Carries out onSuccess / onFailure for an input whose result is recorded, makes it durable, then records that it is
 * done. Moving writes the sidecar first (for failures), then the input: a crash in between leaves the input in place,
 * and the next start finishes the job (the record says the disposal is pending).
 */
export async function dispose(job: Job, record: FileRecord, ctx: DisposeContext): Promise<void> {
  const folders = await disposeInput(job, record, ctx);
  if (folders === null) return;
  await Promise.all(folders.map((dir) => ctx.dirs.sync(dir)));
  crashPoint('after-dispose');
  await ctx.store.markDisposed(job.pipeline.name, job.relPath);
}

/**
 * Deletes or moves the input (the first half of dispose) and returns the folders whose entries it changed: they must
 * be durable before the disposal is recorded, or a power cut could bring back an input whose record says it is gone
 * (and have it processed again). Null when the disposition is keep.
 */
export async function disposeInput(job: Job, record: FileRecord, ctx: DisposeContext): Promise<string[] | null> {
  const disposition: Disposition = record.status === 'done' ? job.pipeline.onSuccess : job.pipeline.onFailure;
  const event = { pipeline: job.pipeline.name, path: job.relPath };
  if (disposition.kind === 'keep') return null;
  // The input's ready marker goes first: a crash in between leaves the input, whose pending disposal the next start
  // finishes, never a marker that would make a new file of the same name eligible before it is complete.
  const marker = readyMarkerOf(job.pipeline);
  const markerRel = marker !== null && !marker.folder ? marker.pathFor(job.relPath) : null;
  if (disposition.kind === 'delete') {
    if (markerRel !== null) await fs.rm(path.join(job.pipeline.input.dir, markerRel), { force: true });
    await fs.rm(job.absPath, { force: true });
    ctx.events.emit({ type: 'disposed', ...event, disposition: 'delete' });
    return [path.dirname(job.absPath)];
  }
  const to = path.join(disposition.dir, job.relPath);
  if (record.status === 'failed') await writeSidecar(`${to}.error.json`, record, ctx);
  if (markerRel !== null) await moveIfThere(path.join(job.pipeline.input.dir, markerRel), path.join(disposition.dir, markerRel), ctx.dirs);
  await moveIfThere(job.absPath, to, ctx.dirs);
  ctx.events.emit({ type: 'disposed', ...event, disposition: 'move', to });
  return [path.dirname(to), path.dirname(job.absPath)];
}

/** Moves `from` to `to`; a `from` already gone (moved by an earlier, interrupted run) is fine. */
async function moveIfThere(from: string, to: string, dirs: DirCache): Promise<void> {
  try {
    await moveFile(from, to, dirs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Reports a disposal that failed: the record keeps saying it is pending, and the next scan or start finishes it. */
export function disposeFailed(job: Job, err: unknown, events: EventBus): void {
  const error = toSluiceError(err);
  events.emit({
    type: 'warning', code: 'DISPOSE_FAILED', path: job.absPath,
    message: `could not dispose of ${job.absPath} (${error.code}: ${error.message}); the next scan tries again`,
  });
}

/**
 * Writes the sidecar. A name the file system cannot hold (an input name of 245+ bytes plus `.error.json`) cannot be
 * cured by retrying: the input is quarantined without a sidecar (the error stays in the log and the state store) rather
 * than left in the inbox forever.
 */
async function writeSidecar(file: string, record: FileRecord, ctx: DisposeContext): Promise<void> {
  try {
    await writeFileAtomic(file, sidecarText(record), ctx.dirs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENAMETOOLONG') throw err;
    ctx.events.emit({
      type: 'warning', code: 'SIDECAR_NOT_WRITTEN', path: file,
      message: `no error sidecar for ${record.relPath}: the name ${file} is too long for the file system ` +
        `(the failure was ${record.error?.code ?? 'FAILED'}: ${record.error?.message ?? ''})`,
    });
  }
}

function sidecarText(record: FileRecord): string {
  const sidecar: ErrorSidecar = {
    pipeline: record.pipeline,
    stage: record.stage ?? '',
    attempts: record.attempts,
    error: { code: record.error?.code ?? 'FAILED', message: record.error?.message ?? 'failed' },
    failedAt: new Date(record.updatedAt).toISOString(),
  };
  return `${JSON.stringify(sidecar, null, 2)}\n`;
}
