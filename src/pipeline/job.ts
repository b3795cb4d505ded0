import type { ResolvedPipeline } from '../config/resolved.js';
import type { FileRecord, Fingerprint } from '../state/store.js';

/**
 * One unit of work for one (pipeline, input). `process` runs the stages and commits; `dispose` only finishes the
 * disposition of an input whose result is already recorded (after a crash between record and disposal).
 */
export interface Job {
  readonly kind: 'process' | 'dispose';
  readonly pipeline: ResolvedPipeline;
  readonly relPath: string;
  readonly absPath: string;
  /** The settled fingerprint the job was admitted with; re-checked before commit. */
  readonly fingerprint: Fingerprint;
  /** For `dispose` jobs: the record whose disposition is pending. */
  readonly record?: FileRecord;
  /** When the file was queued (ms since epoch). */
  readonly queuedAt: number;
  /**
   * Where the job came from a shared queue: resolves while this node still owns it, rejects with JOB_LOST once another
   * node may have taken it over. Checked with the path locks just before a commit renames, appends or records.
   */
  readonly confirm?: () => Promise<void>;
}

export type JobOutcome =
  /** `skipped`: some output already existed and was left as it was (output.conflict: keep). */
  | { readonly type: 'processed'; readonly outputs: readonly string[]; readonly skipped?: 'output exists' }
  | { readonly type: 'disposed' }
  | {
    readonly type: 'failed'; readonly code: string; readonly message: string; readonly stage: string; readonly attempts: number;
    /** Fatal errors never become an outcome: they stop the engine. */
    readonly errorClass: 'transient' | 'permanent';
  }
  /** The input vanished, changed or was found not to be a file: the intake decides what comes next. */
  | { readonly type: 'changed' }
  | { readonly type: 'vanished' }
  | { readonly type: 'aborted' };

export function jobKey(pipeline: string, relPath: string): string {
  return `${pipeline}\0${relPath}`;
}
