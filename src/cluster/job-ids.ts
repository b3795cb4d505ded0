import { createHash } from 'node:crypto';
import type { Fingerprint } from '../state/store.js';

/** One version of one input of one pipeline definition: what a cluster job carries. */
export interface InputVersion {
  readonly pipeline: string;
  readonly relPath: string;
  readonly fingerprint: Fingerprint;
  /** The pipeline hash the version is to be processed with. */
  readonly hash: string;
  /** How the submitting node learnt of it (a scan retries transient failures, a watch event does not). */
  readonly via?: 'scan' | 'rescan' | 'event' | 'redo';
}

/**
 * The BullMQ job id of a version: `f-` and 32 hex digits of a sha256 over (pipeline, path, fingerprint, definition).
 * Adding the same version twice finds the first job (in any state while it is kept) and changes nothing. Never digits
 * only, no `:` (BullMQ's id rules).
 */
export function jobIdOf(v: InputVersion): string {
  const { size, mtimeMs, ino } = v.fingerprint;
  const digest = createHash('sha256').update(JSON.stringify([v.pipeline, v.relPath, size, mtimeMs, ino, v.hash])).digest('hex');
  return `f-${digest.slice(0, 32)}`;
}

/**
 * The deduplication id of an input path, whatever its version: with BullMQ's `keepLastIfActive`, at most one job per
 * path is active and the newest version added meanwhile runs once after it.
 */
export function pathDedupId(pipeline: string, relPath: string): string {
  return `${pipeline}|${createHash('sha1').update(relPath).digest('hex')}`;
}
