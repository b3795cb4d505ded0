import os from 'node:os';
import { throwIfAborted } from '../core/abort.js';
import { SyncPool } from '../core/sync-pool.js';
import { outputFile } from './output-file.js';
import type { TransformContext, TransformResult } from './types.js';

export type SmallFileOp = 'copy' | 'gzip' | 'gunzip';

export interface SmallFileRequest {
  readonly kind: 'file';
  readonly op: SmallFileOp;
  readonly input: string;
  readonly output: string;
  /** gzip's compression level. */
  readonly level?: number;
  /** Largest input taken whole (and a quarter of the largest gunzip result). */
  readonly maxBytes: number;
  /** fsync the output (not for a stage whose output only feeds the next stage). */
  readonly sync: boolean;
}

export interface SmallFileReply {
  /** True when the output is written (and fsynced, if asked); false when the file is too big to hold (nothing written). */
  readonly done: boolean;
  readonly error?: { readonly message: string; readonly code?: string };
}

/** Largest input the small-file path holds in memory; bigger ones stream. Per worker thread, so memory stays bounded. */
export const SMALL_FILE_MAX_BYTES = 256 * 1024;

// One per core (at least two, so one slow fsync does not stall the rest); each costs a V8 isolate, about 10 MB.
export const smallFileThreads = Math.max(2, Math.min(4, os.availableParallelism()));
// A young generation this small collects each request's buffers within a few requests; measured no slower.
const limits = { maxYoungGenerationSizeMb: 1 };
let pool: SyncPool<unknown, unknown> | null = null;

/** The worker threads of the small-file path, shared by single files and batches (small-batch.ts). */
export function smallFilePool(): SyncPool<unknown, unknown> {
  pool ??= new SyncPool(new URL('./small-file-worker.js', import.meta.url), smallFileThreads, limits);
  return pool;
}

/**
 * The built-ins' fast path for small inputs: the whole stage (open, read, transform, write, fsync, close) as synchronous
 * calls on a worker thread, one round trip instead of a dozen through libuv's pool. Resolves once the output is written
 * (`durable: true` when it was fsynced too: always, unless `ctx.last` is false), or null when the input is too big
 * (nothing written: stream it instead). Errors keep their errno or zlib `code`, so they are classified as the streaming
 * path's would be.
 */
export async function smallFile(op: SmallFileOp, ctx: TransformContext, level?: number): Promise<TransformResult | null> {
  if (ctx.input === ctx.source.path && ctx.source.size > SMALL_FILE_MAX_BYTES) return null;
  throwIfAborted(ctx.signal);
  const sync = ctx.last !== false;
  const request: SmallFileRequest = {
    kind: 'file', op, input: ctx.input, output: outputFile(ctx, op), level, maxBytes: SMALL_FILE_MAX_BYTES, sync,
  };
  const reply = await smallFilePool().run(request, { signal: ctx.signal }) as SmallFileReply;
  if (reply.error) throw Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
  return reply.done ? { durable: sync } : null;
}
