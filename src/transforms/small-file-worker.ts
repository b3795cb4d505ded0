import { parentPort } from 'node:worker_threads';
import { disposeBatch, publishBatch, writeBatch } from './small-batch-ops.js';
import type { BatchRequest } from './small-batch.js';
import type { SmallFileReply, SmallFileRequest } from './small-file.js';
import { readAtMost, replyError, transformBuffer, writeAll } from './small-file-io.js';

/**
 * Worker-thread side of the small-file path: reads the whole input (when it is at most `maxBytes`), transforms it in
 * memory, writes the output and (when asked) fsyncs it, all with synchronous calls on this thread. Replies `done: false`,
 * having written nothing, when the input or the result is too big to hold, so the caller streams instead.
 */
function handle(req: SmallFileRequest): SmallFileReply {
  const input = readAtMost(req.input, req.maxBytes);
  if (input === null) return { done: false };
  const output = transformBuffer(req.op, input, req.level, req.maxBytes);
  if (output === null) return { done: false };
  writeAll(req.output, output, req.sync);
  return { done: true };
}

type Request = SmallFileRequest | BatchRequest;

parentPort!.on('message', (req: Request) => {
  if (req.kind === 'write') return parentPort!.postMessage(writeBatch(req));
  if (req.kind === 'publish') return parentPort!.postMessage(publishBatch(req));
  if (req.kind === 'dispose') return parentPort!.postMessage(disposeBatch(req));
  let reply: SmallFileReply;
  try {
    reply = handle(req);
  } catch (err) {
    reply = { done: false, error: replyError(err) };
  }
  parentPort!.postMessage(reply);
});
