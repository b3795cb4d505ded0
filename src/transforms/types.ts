/**
 * The transform contract. A transform reads `ctx.input` and writes `ctx.output` (a temp path on the output file system,
 * ending with the extension its result will have), or, as the last stage of a folder-output pipeline, fills the empty
 * folder `ctx.outputDir` (then `ctx.output` is undefined); it must stream (never hold a whole file in memory), honour
 * `ctx.signal`, and throw to fail the attempt. An error with `permanent: true` fails the file at once instead of being
 * retried.
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
  /**
   * Where to write: a temp path whose folder exists, named `<unique><ext>` (`ext` that of the result); undefined for
   * the last stage of a folder-output pipeline.
   */
  readonly output: string | undefined;
  /** The last stage of a folder-output pipeline: an empty folder; every file left in it is an output. */
  readonly outputDir?: string;
  readonly source: TransformSource;
  /** The pipeline's name. */
  readonly pipeline?: string;
  /** The stage's index, from 0. */
  readonly stage?: number;
  /** The attempt, from 1. */
  readonly attempt?: number;
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
  /**
   * Validates and defaults the raw `with` value (undefined when absent); `at.baseDir` is the config file's folder,
   * against which relative paths in options resolve. Never throws.
   */
  parseOptions(raw: unknown, at?: { readonly baseDir: string }): OptionsResult<O>;
  /** Which output placeholders the options use (exec's argv; its stdout counts as `out`): checked against the pipeline. */
  outputRefs?(options: O): { readonly out: boolean; readonly outDir: boolean };
  /** It can fill a result folder (`ctx.outputDir`), so it may be the last stage of a folder-output pipeline. */
  readonly fillsFolders?: boolean;
  // biome-ignore lint/suspicious/noConfusingVoidType: a transform resolves to nothing unless it has a result to report
  run(ctx: TransformContext<O>): Promise<void | TransformResult>;
  /** A digest of the transform's code for modules (so editing a module reprocesses); undefined for built-ins. */
  readonly digest?: string;
}
