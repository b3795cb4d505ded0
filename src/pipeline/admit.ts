import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedPipeline } from '../config/resolved.js';
import { sleep } from '../core/abort.js';
import type { EventBus } from '../observability/events.js';
import { sameFingerprint, type Fingerprint, type StateStore } from '../state/store.js';
import { fingerprintOf, settleWait, type Observation } from '../watch/settle.js';
import { readyMarkerFile } from '../watch/ready-marker.js';
import { upToDate } from './up-to-date.js';
import type { HandedOff } from './handed-off.js';
import { jobKey, type Job } from './job.js';

/** How the intake learnt of a file: the start-up scan, a watch event, a reconciliation scan, or a change mid-job. */
export type Via = 'scan' | 'event' | 'rescan' | 'redo';

export interface Candidate {
  readonly pipeline: ResolvedPipeline;
  readonly relPath: string;
  readonly via: Via;
}

export interface AdmitOptions {
  readonly store: StateStore;
  readonly events: EventBus;
  /** Told when an input turned out to be a folder (a file replaced by one, which a watcher may not report as new). */
  readonly onFolder?: (absPath: string) => void;
  /**
   * True when `dir` is on a local file system (a disk or tmpfs, not a network or FUSE mount), where an lstat is a
   * cache lookup of a few microseconds: done synchronously, it saves a round trip through libuv's thread pool per file.
   */
  readonly isLocal?: (dir: string) => boolean;
  /** Versions handed to a shared queue lately: a scan or watch event finding one unchanged has nothing to do. */
  readonly handedOff?: HandedOff;
}

/**
 * Waits until a file is completely written (see settle.ts), then asks the state store what to do with it: the job to
 * queue, or null when there is nothing to do (up to date, failed before and unchanged, vanished, not a regular file),
 * with an event saying which. Throws what the store throws (fatal) and errors other than a vanished file's.
 */
export async function admit(file: Candidate, o: AdmitOptions, signal: AbortSignal): Promise<Job | null> {
  const { pipeline, relPath } = file;
  const absPath = path.join(pipeline.input.dir, relPath);
  let previous: Observation | undefined;
  const local = o.isLocal?.(pipeline.input.dir) === true;
  for (;;) {
    const stat = local ? lstatSyncOrNull(absPath) : await lstatOrNull(absPath);
    if (stat?.isDirectory()) {
      // An input replaced by a folder: the folder's files are walked. A watch event names whatever changed in a
      // folder, folders included: those are no inputs, and not worth a line.
      o.onFolder?.(absPath);
      if (file.via === 'event') return null;
    }
    if (stat === null || !stat.isFile()) return skipped(file, o.events, stat === null);
    const now = Date.now();
    const fingerprint = fingerprintOf(stat);
    if (previous === undefined && file.via !== 'redo' && o.handedOff?.has(jobKey(pipeline.name, relPath), fingerprint)) return null;
    if (!previous || !sameFingerprint(previous.fingerprint, fingerprint)) previous = { fingerprint, since: now };
    const wait = settleWait(stat, now, pipeline.input.settleMs, previous);
    if (wait === 0) break;
    o.events.emit({ type: 'settling', pipeline: pipeline.name, path: relPath, waitMs: wait });
    await sleep(wait, { signal });
  }
  const job = await toJob(file, absPath, previous.fingerprint, o);
  if (job && file.via === 'rescan') o.events.emit({ type: 'found-by-rescan', pipeline: pipeline.name, path: relPath });
  return job;
}

/**
 * Admits a version another node settled (a shared queue's job): the file must still have `fingerprint`, else
 * 'changed' (the caller has it settled again here) or null if it is gone; then the store decides as for admit.
 */
export async function admitSettled(file: Candidate, fingerprint: Fingerprint, o: AdmitOptions): Promise<Job | 'changed' | null> {
  const absPath = path.join(file.pipeline.input.dir, file.relPath);
  const stat = await lstatOrNull(absPath);
  if (stat === null || !stat.isFile()) return skipped(file, o.events, stat === null);
  if (!sameFingerprint(fingerprintOf(stat), fingerprint)) return 'changed';
  return toJob(file, absPath, fingerprint, o);
}

async function toJob(file: Candidate, absPath: string, fingerprint: Job['fingerprint'], o: AdmitOptions): Promise<Job | null> {
  const { pipeline, relPath } = file;
  const record = await o.store.get(pipeline.name, relPath);
  const base = { pipeline, relPath, absPath, fingerprint, queuedAt: Date.now() };
  // A transient failure comes back with the next scan or rescan, not with every watch event for the file (its own
  // late write events would run it again at once, with every retry).
  const retryTransient = file.via === 'scan' || file.via === 'rescan';
  const { decision } = await upToDate(pipeline, relPath, fingerprint, record, retryTransient);
  if (decision === 'process') return (await markerMissing(file, o.events)) ? null : { kind: 'process', ...base };
  if (decision === 'dispose') return { kind: 'dispose', ...base, record };
  const event = { pipeline: pipeline.name, path: relPath };
  if (decision === 'unchanged') o.events.emit({ type: 'unchanged', ...event, outputs: record!.outputs });
  else {
    o.events.emit({
      type: 'failed', ...event, stage: record!.stage ?? '', attempts: record!.attempts,
      code: record!.error?.code ?? 'FAILED', message: record!.error?.message ?? 'failed', previously: true,
    });
  }
  return null;
}

/**
 * True (with an `awaiting-marker` event) when the pipeline has input.marker and this input's marker is not there yet:
 * the input is not eligible; the marker's watch event (or the next scan) brings it back.
 */
async function markerMissing(file: Candidate, events: EventBus): Promise<boolean> {
  const marker = readyMarkerFile(file.pipeline, file.relPath);
  if (marker === null || (await lstatOrNull(marker)) !== null) return false;
  const rel = path.relative(file.pipeline.input.dir, marker).split(path.sep).join('/');
  events.emit({ type: 'awaiting-marker', pipeline: file.pipeline.name, path: file.relPath, marker: rel });
  return true;
}

function skipped(file: Candidate, events: EventBus, vanished: boolean): null {
  const reason = vanished ? 'the file vanished before it was processed' : 'not a regular file';
  events.emit({
    type: 'skipped', pipeline: file.pipeline.name, path: file.relPath, reason,
    code: vanished ? 'INPUT_VANISHED' : 'INPUT_NOT_A_FILE',
  });
  return null;
}

function lstatSyncOrNull(file: string) {
  try {
    return fsSync.lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

async function lstatOrNull(file: string) {
  try {
    return await fs.lstat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}
