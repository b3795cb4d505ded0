import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { SluiceError } from '../../errors.js';
import { throwIfAborted } from '../../core/abort.js';
import { defineOptions } from '../options.js';
import { TailBuffer } from '../tail-buffer.js';
import type { TransformContext, TransformDefinition } from '../types.js';
import { waitForChild, type ChildExit } from '../wait-for-child.js';

/** How long a child gets between SIGTERM and SIGKILL once the stage is aborted. */
export const EXEC_KILL_GRACE_MS = 2000;
/** How much of a child's stderr is kept for the error message. */
export const EXEC_STDERR_TAIL_BYTES = 4096;

const placeholder = /\{(in|out)\}/g;

const schema = z
  .strictObject({
    /** The argv, run without a shell; `{in}` and `{out}` are replaced anywhere inside each element. Required. */
    command: z
      .array(z.string())
      .min(1, 'command must name a program: ["program", "arg", …]')
      .refine((argv) => argv[0] !== '', { message: 'the program name must not be empty', path: [0] }),
    /** Pipe the program's stdout to the output; when false the program writes `{out}` itself. @default false */
    stdout: z.boolean().default(false),
  })
  .refine((o) => o.stdout || o.command.some((arg) => arg.includes('{out}')), {
    message: 'command must contain {out} (where the program writes its result) unless stdout is true',
    path: ['command'],
  });

export type ExecOptions = z.output<typeof schema>;

/**
 * `exec`: runs a program on the file (never through a shell), stdin ignored. With `stdout: true` its stdout becomes
 * the output; otherwise it must write the `{out}` path. Only the last EXEC_STDERR_TAIL_BYTES of stderr are kept.
 * Failures: a non-zero exit or a fatal signal is transient EXEC_FAILED (with the stderr tail); a program that does
 * not exist is permanent EXEC_NOT_FOUND. On abort the child gets SIGTERM, then SIGKILL after EXEC_KILL_GRACE_MS, and
 * the run rejects with the abort reason once the child is gone. The run ends when the child has exited and closed
 * its stdio, so a background grandchild holding them open keeps it waiting until the stage's deadline.
 */
export const exec: TransformDefinition<ExecOptions> = {
  name: 'exec',
  parseOptions: defineOptions(schema),
  async run(ctx) {
    throwIfAborted(ctx.signal);
    const argv = ctx.options.command.map((arg) =>
      arg.replace(placeholder, (_, name: string) => (name === 'in' ? ctx.input : ctx.output)),
    );
    const exit = await runChild(ctx, argv);
    if (exit.code === 0) return;
    const how = exit.signal === null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`;
    throw new SluiceError('EXEC_FAILED', `${argv[0]} ${how}: ${exit.stderr || '(no stderr)'}`, {
      kind: 'transient',
      context: { command: argv, exitCode: exit.code, signal: exit.signal, stderr: exit.stderr },
    });
  },
};

async function runChild(ctx: TransformContext<ExecOptions>, argv: string[]): Promise<ChildExit & { stderr: string }> {
  const toStdout = ctx.options.stdout;
  const child = spawn(argv[0]!, argv.slice(1), {
    shell: false,
    stdio: ['ignore', toStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  const stderr = new TailBuffer(EXEC_STDERR_TAIL_BYTES);
  child.stderr!.on('data', (chunk: Buffer) => stderr.write(chunk));
  // A failed write to the output stops the child the way an abort does, with the write error as the reason; and
  // whatever ends the run, `stop` tears the stdout pipe down so the output's file descriptor never leaks.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const written = toStdout
    ? pipeline(child.stdout!, createWriteStream(ctx.output), { signal: stop.signal }).catch((err) => stop.abort(err))
    : undefined;
  try {
    const exit = await waitForChild(child, signal, EXEC_KILL_GRACE_MS);
    await written;
    throwIfAborted(signal);
    return { ...exit, stderr: stderr.text() };
  } catch (err) {
    throw spawnFailure(err, argv[0]!) ?? err;
  } finally {
    stop.abort();
  }
}

function spawnFailure(err: unknown, program: string): SluiceError | undefined {
  const { code, syscall } = (err ?? {}) as { code?: unknown; syscall?: unknown };
  if (code !== 'ENOENT' || typeof syscall !== 'string' || !syscall.startsWith('spawn')) return undefined;
  return new SluiceError('EXEC_NOT_FOUND', `${program} was not found: give its absolute path or put it on PATH`, {
    kind: 'permanent',
    cause: err,
    context: { program },
  });
}
