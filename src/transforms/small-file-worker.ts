import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import type { SmallFileReply, SmallFileRequest } from './small-file.js';

/**
 * Worker-thread side of the small-file path: reads the whole input (when it is at most `maxBytes`), transforms it in
 * memory, writes the output and (when asked) fsyncs it, all with synchronous calls on this thread. Replies `done: false`,
 * having written nothing, when the input or the result is too big to hold, so the caller streams instead.
 */
function handle(req: SmallFileRequest): SmallFileReply {
  const input = readAtMost(req.input, req.maxBytes);
  if (input === null) return { done: false };
  let output: Buffer;
  if (req.op === 'copy') output = input;
  else if (req.op === 'gzip') output = zlib.gzipSync(input, { level: req.level });
  else {
    try {
      output = zlib.gunzipSync(input, { maxOutputLength: req.maxBytes * 4 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { done: false };
      throw err;
    }
  }
  write(req.output, output, req.sync);
  return { done: true };
}

/** The whole file, or null when it holds more than `max` bytes. */
function readAtMost(file: string, max: number): Buffer | null {
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

function write(file: string, data: Buffer, sync: boolean): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < data.length;) off += fs.writeSync(fd, data, off, data.length - off);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

parentPort!.on('message', (req: SmallFileRequest) => {
  let reply: SmallFileReply;
  try {
    reply = handle(req);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = { done: false, error: { message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined } };
  }
  parentPort!.postMessage(reply);
});
