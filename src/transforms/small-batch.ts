import type { Fingerprint } from '../state/store.js';
import { smallFilePool, type SmallFileOp } from './small-file.js';

/** One transform of a batched pipeline, done in memory. */
export interface BatchStep {
  readonly op: SmallFileOp;
  /** gzip's compression level. */
  readonly level?: number;
}

/** One input of a commit batch. */
export interface BatchItem {
  readonly input: string;
  /** Where its result is written first, on the output file system. */
  readonly temp: string;
  /** Where its result goes. */
  readonly final: string;
  /** The version that was admitted: the input is re-checked against it just before the rename. */
  readonly fingerprint: Fingerprint;
}

/**
 * Runs every step on every input and writes each result to its temp file, fsyncing it when `sync`; all on one worker
 * thread as synchronous calls. The caller makes the data durable otherwise (syncfs) before it publishes.
 */
export interface WriteBatchRequest {
  readonly kind: 'write';
  readonly steps: readonly BatchStep[];
  readonly items: readonly BatchItem[];
  /** Largest input taken whole (and a quarter of the largest gunzip result). */
  readonly maxBytes: number;
  readonly sync: boolean;
}

/**
 * Publishes written results whose data is durable: re-checks each input against its admitted fingerprint, renames
 * each result into place (creating its folder durably), and fsyncs the folders when `sync` (else the caller makes the
 * entries durable). The caller holds every `final`'s lock.
 */
export interface PublishBatchRequest {
  readonly kind: 'publish';
  readonly items: readonly BatchItem[];
  readonly sync: boolean;
}

/** Deletes (`to` null) or moves inputs; fsyncs every folder involved when `sync`. */
export interface DisposeBatchRequest {
  readonly kind: 'dispose';
  readonly moves: readonly { readonly from: string; readonly to: string | null }[];
  readonly sync: boolean;
}

export type BatchRequest = WriteBatchRequest | PublishBatchRequest | DisposeBatchRequest;

export interface ItemError {
  readonly message: string;
  readonly code?: string;
}

/**
 * Per item, in order: `ok` (published; `ms` its share of the work), or not published with `tooBig` (the input or a
 * result is larger than maxBytes: stream it instead) or an `error` (errno or zlib code kept). Nothing is published for
 * an item that is not ok, and its temp file is gone.
 */
export type BatchResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly tooBig?: true; readonly error?: ItemError };

export interface BatchReply {
  readonly results: readonly BatchResult[];
}

/** Runs one batch request on the small-file worker pool; rejects only if the worker itself failed. */
export function postBatch(request: BatchRequest): Promise<BatchReply> {
  return smallFilePool().run(request) as Promise<unknown> as Promise<BatchReply>;
}
