/**
 * The transform contract. A transform reads `ctx.input` and writes `ctx.output` (a temp path on the output file system);
 * it must stream (never hold a whole file in memory), honour `ctx.signal`, and throw to fail the attempt. An error with
 * `permanent: true` fails the file at once instead of being retried.
 */
export interface TransformSource {
  /** Absolute path of the original input file. */
  readonly path: string;
  /** Path relative to the pipeline's `input.dir`, with `/` separators. */
  readonly relPath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface TransformLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface TransformContext<O = unknown> {
  /** What to read: the original for the first stage, the previous stage's result after. */
  readonly input: string;
  /** Where to write: a temp path; its folder exists. */
  readonly output: string;
  readonly source: TransformSource;
  /** The stage's `with`, already validated and defaulted by the transform's own schema. */
  readonly options: O;
  /** Fires at the stage's deadline and on shutdown. */
  readonly signal: AbortSignal;
  readonly log: TransformLog;
  /** False for a stage whose output feeds another stage (never published, so never worth an fsync). @default true */
  readonly last?: boolean;
}

/** One problem with a stage's `with` options; `path` is relative to `with`. */
export interface OptionIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type OptionsResult<O> = { ok: true; value: O } | { ok: false; issues: readonly OptionIssue[] };

/** What a built-in may report about its output; a module's return value is ignored. */
export interface TransformResult {
  /** The output exists and is already fsynced: the commit need not flush it again. */
  readonly durable?: boolean;
}

export interface TransformDefinition<O = unknown> {
  /** The built-in name, or the module's absolute path. */
  readonly name: string;
  /** Validates and defaults the raw `with` value (undefined when absent). Never throws. */
  parseOptions(raw: unknown): OptionsResult<O>;
  run(ctx: TransformContext<O>): Promise<void | TransformResult>;
  /** A digest of the transform's code for modules (so editing a module reprocesses); undefined for built-ins. */
  readonly digest?: string;
}
