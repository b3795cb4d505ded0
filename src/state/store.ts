/** What identifies one version of an input file. */
export interface Fingerprint {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export type FileStatus = 'done' | 'failed';

/** What the store remembers per (pipeline, input path). */
export interface FileRecord {
  readonly pipeline: string;
  readonly relPath: string;
  readonly fingerprint: Fingerprint;
  /** The pipeline hash that produced this result. */
  readonly hash: string;
  readonly status: FileStatus;
  /** Absolute output paths written. */
  readonly outputs: readonly string[];
  readonly attempts: number;
  /** The stage that failed (its `use`), or null. */
  readonly stage: string | null;
  /**
   * Why it failed; `kind` says whether the next run or rescan tries it again by itself (transient) or it waits until
   * it changes or `sluice retry` (permanent, and failures recorded before kinds were).
   */
  readonly error: { readonly code: string; readonly message: string; readonly kind?: 'transient' | 'permanent' } | null;
  readonly updatedAt: number;
  /** The onSuccess / onFailure disposition has been carried out. */
  readonly disposed: boolean;
  /** Work the commit still owes after this record: absent or null when there is none. */
  readonly finish?: Finish | null;
}

/**
 * What a commit does after recording its result, recorded with it so that a crash in between is finished at the next
 * start: remove the outputs the input's previous result had and this one has not (absolute paths), then write the
 * completion marker (absolute path, or null).
 */
export interface Finish {
  readonly remove: readonly string[];
  readonly marker: string | null;
}

/** Written before an append, cleared with the success record: lets start-up cut a half-written block away. */
export interface AppendIntent {
  readonly path: string;
  /** The file's size before the block, or `absentSize` when the block creates the file. */
  readonly size: number;
}

/** AppendIntent.size of a block that creates its file: recovery removes the file. */
export const absentSize = -1;

export interface PipelineCounts {
  readonly pipeline: string;
  readonly done: number;
  readonly failed: number;
}

/** Names one input of one pipeline. */
export interface InputKey {
  readonly pipeline: string;
  readonly relPath: string;
}

/**
 * The durable state store: a port with one implementation per mode (SQLite on one node, memory for tests and dry runs;
 * a shared store for a cluster). Every call that writes is one transaction, durable when its promise resolves (it
 * survives a power cut, not only a crash), so whatever depends on it may be done next. A store that cannot read or
 * write rejects with a fatal SluiceError.
 */
export interface StateStore {
  get(pipeline: string, relPath: string): Promise<FileRecord | undefined>;
  /** Records a result; with `appendDone`, clears that append intent in the same transaction. */
  put(record: FileRecord, appendDone?: string): Promise<void>;
  /** Records many results in one transaction (a group commit): all or none. */
  putAll(records: readonly FileRecord[]): Promise<void>;
  markDisposed(pipeline: string, relPath: string): Promise<void>;
  /** markDisposed for many inputs in one transaction. */
  markAllDisposed(keys: readonly InputKey[]): Promise<void>;
  delete(pipeline: string, relPath: string): Promise<void>;
  beginAppend(intent: AppendIntent): Promise<void>;
  endAppend(path: string): Promise<void>;
  appends(): Promise<AppendIntent[]>;
  /** Up to `limit` records whose disposition is still pending (a crash between disposal and its record). */
  pendingDisposals(limit: number): Promise<FileRecord[]>;
  /** Clears the `finish` of many records in one transaction: that work is done and durable. */
  markAllFinished(keys: readonly InputKey[]): Promise<void>;
  /** Up to `limit` records whose `finish` is still owed (a crash between the record and that work). */
  pendingFinishes(limit: number): Promise<FileRecord[]>;
  counts(): Promise<PipelineCounts[]>;
  /** The records (at most `limit`, newest first) that list `output` among their outputs: a scan, for `explain`. */
  producersOf(output: string, limit: number): Promise<FileRecord[]>;
  /** Up to `limit` failed records, newest first (the dashboard's failures list; callers cache it). */
  failures(limit: number): Promise<FileRecord[]>;
  /** Idempotent. */
  close(): Promise<void>;
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}
