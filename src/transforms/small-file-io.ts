import fs from 'node:fs';
import zlib from 'node:zlib';
import type { SmallFileOp } from './small-file.js';

// The synchronous file and buffer work of the small-file path, run on its worker threads only.

/** The whole file, or null when it holds more than `max` bytes. */
export function readAtMost(file: string, max: number): Buffer | null {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size > max) return null;
    // One byte more than the size: a file that grew since is seen as too big, never cut short.
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (let n; got < buf.length && (n = fs.readSync(fd, buf, got, buf.length - got, got)) > 0;) got += n;
    return got > size ? null : buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The first `size` bytes of `file`, read with no fstat and no read to find the end: for an input whose admitted size is
 * `size` and which is re-checked (size, mtime, inode) before its result is published, so a file that grew, shrank or
 * was replaced meanwhile is never published. Null when `size` is over `max`.
 */
export function readKnownSize(file: string, size: number, max: number): Buffer | null {
  if (size > max) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    for (let n = -1; got < size && n !== 0; got += n) n = fs.readSync(fd, buf, got, size - got, got);
    return got < size ? buf.subarray(0, got) : buf;
  } finally {
    fs.closeSync(fd);
  }
}

/** `op` applied to `input`; null when a gunzip result would exceed four times `maxBytes` (stream it instead). */
export function transformBuffer(op: SmallFileOp, input: Buffer, level: number | undefined, maxBytes: number): Buffer | null {
  if (op === 'copy') return input;
  if (op === 'gzip') return zlib.gzipSync(input, { level });
  try {
    return zlib.gunzipSync(input, { maxOutputLength: maxBytes * 4 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw err;
  }
}

/** Writes `data` to `file` (created or truncated), fsyncing it when `sync`. */
export function writeAll(file: string, data: Buffer, sync: boolean): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < data.length;) off += fs.writeSync(fd, data, off, data.length - off);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The error as the reply carries it: its message and errno or zlib code. */
export function replyError(err: unknown): { message: string; code?: string } {
  const e = err as NodeJS.ErrnoException;
  return { message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined };
}
