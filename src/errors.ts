/**
 * One base error for everything sluice can fail with. Every error carries a stable `code` (tests and operators match on
 * it, never on the message) and a class that decides what the engine does with it:
 * - `transient`: worth another attempt after backoff (disk full, busy, timeouts, anything a user's transform throws);
 * - `permanent`: another attempt cannot help (invalid input, an output path that escapes); fails the file at once;
 * - `fatal`: the process cannot go on (state store corrupt or unwritable); stops the daemon.
 */
export type ErrorClass = 'transient' | 'permanent' | 'fatal';

/** Process exit codes, mapped in this one place. */
export const ExitCode = {
  ok: 0,
  failures: 1,
  usage: 2,
  locked: 3,
  interrupted: 130,
} as const;

export interface SluiceErrorOptions {
  kind?: ErrorClass;
  cause?: unknown;
  /** Where it happened: path, pipeline, stage, key… */
  context?: Record<string, unknown>;
  exitCode?: number;
}

export class SluiceError extends Error {
  readonly code: string;
  readonly kind: ErrorClass;
  readonly context: Record<string, unknown>;
  readonly exitCode: number;

  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = options.kind ?? 'permanent';
    this.context = options.context ?? {};
    this.exitCode = options.exitCode ?? ExitCode.failures;
  }

  get transient(): boolean {
    return this.kind === 'transient';
  }
}

/** A config file, flag or template the user got wrong. `problems` lists every violation, one line each. */
export class ConfigError extends SluiceError {
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = [], options: SluiceErrorOptions = {}) {
    super('CONFIG_INVALID', message, { ...options, exitCode: ExitCode.usage });
    this.problems = problems;
  }
}

export class UsageError extends SluiceError {
  constructor(message: string) {
    super('USAGE', message, { exitCode: ExitCode.usage });
  }
}

/** Another sluice process holds the state directory. */
export class InstanceLockedError extends SluiceError {
  readonly pid: number | null;
  constructor(stateDir: string, pid: number | null) {
    const holder = pid === null ? 'another process (pid not yet recorded)' : `process ${pid}`;
    super(
      'INSTANCE_LOCKED',
      `The state directory ${stateDir} is in use by ${holder}. Only one sluice instance may use a state directory at a ` +
        `time: stop that process, or give this one another stateDir.`,
      { exitCode: ExitCode.locked, context: { stateDir, pid } },
    );
    this.pid = pid;
  }
}

/** A stage attempt ran past its `timeoutMs`. */
export class StageTimeoutError extends SluiceError {
  constructor(stage: string, timeoutMs: number) {
    super('STAGE_TIMEOUT', `stage ${stage} did not finish within timeoutMs (${timeoutMs} ms)`, {
      kind: 'transient',
      context: { stage, timeoutMs },
    });
  }
}

/** Work was cancelled (shutdown, or the input changed under it). Never recorded as a failure. */
export class AbortedError extends SluiceError {
  constructor(reason = 'aborted', options: SluiceErrorOptions = {}) {
    super('ABORTED', reason, { kind: 'permanent', ...options });
  }
}

/** Errno codes that no number of attempts can cure: the name is too long, a path runs through a file, a loop. */
const permanentErrno = new Set(['ENAMETOOLONG', 'ELOOP', 'EISDIR', 'ENOTDIR', 'EINVAL']);

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns anything thrown into a SluiceError. A plain error marked `permanent: true` (how a user's module says "another
 * attempt cannot help") is permanent; known errno codes keep their code; everything else is transient, so a user's
 * unclassified error is retried up to `retry.attempts`. Errno codes (ENOSPC, EBUSY, EAGAIN, EMFILE, ETIMEDOUT, EACCES…)
 * are transient except the few in `permanentErrno`.
 */
export function toSluiceError(err: unknown, context: Record<string, unknown> = {}): SluiceError {
  if (err instanceof SluiceError) return err;
  const code = errnoCode(err);
  const message = describe(err);
  const permanent = (err as { permanent?: unknown } | null)?.permanent === true;
  if (permanent) return new SluiceError(code ?? 'TRANSFORM_FAILED', message, { kind: 'permanent', cause: err, context });
  if (code !== undefined && /^E[A-Z0-9]+$/.test(code)) {
    const kind: ErrorClass = permanentErrno.has(code) ? 'permanent' : 'transient';
    return new SluiceError(code, message, { kind, cause: err, context });
  }
  return new SluiceError(code ?? 'TRANSFORM_FAILED', message, { kind: 'transient', cause: err, context });
}

/** A readable one-line message for anything thrown, including non-Error values. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return `non-Error value thrown: ${JSON.stringify(err)}`;
  } catch {
    return `non-Error value thrown: ${String(err)}`;
  }
}
