import type { Writable } from 'node:stream';
import { describe, ExitCode, SluiceError } from '../errors.js';

/**
 * What the commands print on stdout, delivered whole through a pipe however large and however slow the reader.
 *
 * On POSIX, Node writes to a pipe asynchronously: `write` returns once the data is queued, and `process.exit` drops
 * whatever the reader has not taken yet (a `run --json` report cut at the pipe's 64 KiB). So every command awaits
 * writeOut, and main.ts awaits flushOut before it exits.
 *
 * A reader that goes away early (`sluice run --json | head -c 100`) makes the next write fail with EPIPE. sluice takes
 * that as "the rest of the output is not wanted": the write counts as done, later writes are dropped, nothing is
 * printed, and the command carries on to its end and exits with its own code (a run still processes, records and
 * disposes of every file, and writes `--report FILE`). It is not a failure of the run, so it changes no exit code.
 */

/** True when `err` (or the error `out` already failed with) says the reader of `out` has gone: EPIPE. */
function readerGone(err: unknown, out: Writable): boolean {
  const code = (e: unknown) => (e as { code?: unknown } | null)?.code;
  return code(err) === 'EPIPE' || code(out.errored) === 'EPIPE';
}

function unwritable(err: unknown): SluiceError {
  return new SluiceError('STDOUT_UNWRITABLE', `could not write the output to stdout: ${describe(err)}`,
    { exitCode: ExitCode.failures, cause: err });
}

/**
 * Writes `text` to `out` and resolves once it has been handed to the operating system, or once the reader is found
 * gone (EPIPE: resolves, see above). Rejects with a STDOUT_UNWRITABLE SluiceError on any other write error (a full
 * disk behind `> file`, for one).
 */
export function writeOut(text: string, out: Writable = process.stdout): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err && !readerGone(err, out) ? reject(unwritable(err)) : resolve());
    try {
      out.write(text, done);
    } catch (err) {
      // A file or terminal is written synchronously, and fails by throwing.
      done(err as Error);
    }
  });
}

/**
 * Resolves once everything written to `out` so far, through writeOut or not (commander's help), has been handed to the
 * operating system, or cannot be. Never rejects: the writes themselves report their errors.
 */
export function flushOut(out: Writable = process.stdout): Promise<void> {
  if (out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      // An empty write is queued behind every pending one: its callback runs once they are all done.
      out.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Makes an error event on `out` harmless. Without a listener, Node throws an EPIPE from stdout as an uncaught
 * exception (a stack trace and exit 1) after the reader has gone. Every error also reaches the callback of the write
 * that met it, where writeOut reports it. Call once, before anything is written.
 */
export function guardStdout(out: Writable = process.stdout): void {
  out.on('error', () => {});
}
