import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { SluiceError } from '../../errors.js';
import { throwIfAborted } from '../../core/abort.js';
import { defineOptions } from '../options.js';
import { outputFile } from '../output-file.js';
import { TailBuffer } from '../tail-buffer.js';
import type { TransformContext, TransformDefinition } from '../types.js';
import { waitForChild, type ChildExit } from '../wait-for-child.js';
import { childEnv, renderArgv, usesPlaceholder } from './exec-argv.js';

/** How long a child gets between SIGTERM and SIGKILL once the stage is aborted. */
export const EXEC_KILL_GRACE_MS = 2000;
/** How much of a child's stderr is kept for the error message. */
export const EXEC_STDERR_TAIL_BYTES = 4096;

const schema = z.strictObject({
  /** The argv, run without a shell; the placeholders (execPlaceholders) are replaced anywhere inside each element. */
  command: z
    .array(z.string())
    .min(1, 'command must name a program: ["program", "arg", …]')
    .refine((argv) => argv[0] !== '', { message: 'the program name must not be empty', path: [0] }),
  /** Pipe the program's stdout to the output; when false the program writes `{out}` ($SLUICE_OUTPUT) itself. @default false */
  stdout: z.boolean().default(false),
  /** Pipe the input to the program's stdin. @default false (stdin is empty) */
  stdin: z.boolean().default(false),
  /** Extra environment variables for the program. */
  env: z.record(z.string(), z.string({ error: 'expected a string value' }), { error: 'expected a map of NAME: value' })
    .superRefine((env, ctx) => {
      for (const name of Object.keys(env)) {
        const problem = !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? 'expected a variable name (letters, digits, _)'
          : name.startsWith('SLUICE_') ? 'SLUICE_* variables are set by sluice and cannot be overridden' : null;
        if (problem !== null) ctx.addIssue({ code: 'custom', path: [name], message: problem });
      }
    })
    .default({}),
  /** The program's working folder, relative to the config file's folder. @default the config file's folder */
  cwd: z.string().min(1, 'expected a folder path').optional(),
  /** Exit codes that mean "this input is invalid": the file fails at once instead of being retried. */
  permanentExitCodes: z.array(
    z.number().int('expected whole exit codes').min(1, 'expected exit codes from 1 to 255 (0 is success)')
      .max(255, 'expected exit codes from 1 to 255'),
    { error: 'expected a list of exit codes' },
  ).default([]),
});

export type ExecOptions = Omit<z.output<typeof schema>, 'cwd'> & { readonly cwd: string };

const parse = defineOptions(schema);

/**
 * `exec`: runs a program on the file (never through a shell). Placeholders in its argv: `{in}`, `{out}`, `{outDir}`,
 * `{name}`, `{ext}`, `{base}`, `{relPath}`, `{relDir}`; the same and more in SLUICE_* environment variables (see
 * childEnv). With `stdout: true` its stdout becomes the output; otherwise it writes `{out}` (or fills `{outDir}`), and
 * writing nothing fails the file with NO_OUTPUT (the stage runner checks). Only the last EXEC_STDERR_TAIL_BYTES of
 * stderr are kept. Failures: a non-zero exit or a fatal signal is transient EXEC_FAILED (permanent for an exit code in
 * `permanentExitCodes`), with the stderr tail; a program that does not exist is permanent EXEC_NOT_FOUND. On abort the
 * child gets SIGTERM, then SIGKILL after EXEC_KILL_GRACE_MS, and the run rejects with the abort reason once the child
 * is gone. The run ends when the child has exited and closed its stdio.
 */
export const exec: TransformDefinition<ExecOptions> = {
  name: 'exec',
  fillsFolders: true,
  parseOptions(raw, at) {
    const parsed = parse(raw);
    if (!parsed.ok) return parsed;
    return { ok: true, value: { ...parsed.value, cwd: path.resolve(at?.baseDir ?? process.cwd(), parsed.value.cwd ?? '.') } };
  },
  outputRefs: (o) => ({ out: o.stdout || usesPlaceholder(o.command, 'out'), outDir: usesPlaceholder(o.command, 'outDir') }),
  async run(ctx) {
    throwIfAborted(ctx.signal);
    const argv = renderArgv(ctx.options.command, ctx as TransformContext<unknown>);
    const exit = await runChild(ctx, argv);
    if (exit.code === 0) return;
    const how = exit.signal === null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`;
    const permanent = exit.code !== null && ctx.options.permanentExitCodes.includes(exit.code);
    throw new SluiceError('EXEC_FAILED', `${argv[0]} ${how}: ${exit.stderr || '(no stderr)'}`, {
      kind: permanent ? 'permanent' : 'transient',
      context: { command: argv, exitCode: exit.code, signal: exit.signal, stderr: exit.stderr },
    });
  },
};

async function runChild(ctx: TransformContext<ExecOptions>, argv: string[]): Promise<ChildExit & { stderr: string }> {
  const { stdout: toStdout, stdin: fromStdin } = ctx.options;
  const child = spawn(argv[0]!, argv.slice(1), {
    shell: false,
    cwd: ctx.options.cwd,
    env: childEnv(ctx as TransformContext<unknown>, ctx.options.env, toStdout),
    stdio: [fromStdin ? 'pipe' : 'ignore', toStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  const stderr = new TailBuffer(EXEC_STDERR_TAIL_BYTES);
  child.stderr!.on('data', (chunk: Buffer) => stderr.write(chunk));
  // A failed write to the output stops the child the way an abort does, with the write error as the reason; and
  // whatever ends the run, `stop` tears the pipes down so no file descriptor leaks.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const written = toStdout
    ? pipeline(child.stdout!, createWriteStream(outputFile(ctx, 'exec')), { signal: stop.signal }).catch((err) => stop.abort(err))
    : undefined;
  // A program may stop reading its stdin early (it has seen enough): its exit code says how it went, not EPIPE.
  const fed = fromStdin ? pipeline(createReadStream(ctx.input), child.stdin!, { signal: stop.signal }).catch(() => {}) : undefined;
  try {
    const exit = await waitForChild(child, signal, EXEC_KILL_GRACE_MS);
    await written;
    throwIfAborted(signal);
    return { ...exit, stderr: stderr.text() };
  } catch (err) {
    throw spawnFailure(err, argv[0]!, ctx.options.cwd) ?? err;
  } finally {
    stop.abort();
    await fed;
  }
}

function spawnFailure(err: unknown, program: string, cwd: string): SluiceError | undefined {
  const { code, syscall } = (err ?? {}) as { code?: unknown; syscall?: unknown };
  if (code !== 'ENOENT' || typeof syscall !== 'string' || !syscall.startsWith('spawn')) return undefined;
  return new SluiceError('EXEC_NOT_FOUND',
    `${program} was not found (or its working folder ${cwd} does not exist): give its absolute path or put it on PATH`, {
      kind: 'permanent',
      cause: err,
      context: { program, cwd },
    });
}
