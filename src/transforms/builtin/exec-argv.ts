import { templateValues } from '../../config/template.js';
import type { TransformContext } from '../types.js';

/** The placeholders an `exec` argv element may hold; each is replaced by a value, never parsed by a shell. */
export const execPlaceholders = ['in', 'out', 'outDir', 'name', 'ext', 'base', 'relPath', 'relDir'] as const;
type ExecPlaceholder = (typeof execPlaceholders)[number];

const placeholder = new RegExp(`\\{(${execPlaceholders.join('|')})\\}`, 'g');

/** True when some argv element holds `{name}`. */
export function usesPlaceholder(argv: readonly string[], name: ExecPlaceholder): boolean {
  return argv.some((arg) => arg.includes(`{${name}}`));
}

/** `argv` with every placeholder replaced by its value for this stage run. */
export function renderArgv(argv: readonly string[], ctx: TransformContext<unknown>): string[] {
  const values = placeholderValues(ctx);
  return argv.map((arg) => arg.replace(placeholder, (_, name: ExecPlaceholder) => values[name]));
}

function placeholderValues(ctx: TransformContext<unknown>): Record<ExecPlaceholder, string> {
  // The input's name parts are output.path's ({name} {ext} {base} {relDir}): one definition for both.
  const { name, ext, base, relDir } = templateValues(ctx.source.relPath, ctx.pipeline ?? '');
  return { in: ctx.input, out: ctx.output ?? '', outDir: ctx.outputDir ?? '', name, ext, base, relDir, relPath: ctx.source.relPath };
}

/**
 * The program's environment: sluice's own, then the stage's `env`, then the SLUICE_* variables (which `env` cannot
 * override). SLUICE_OUTPUT is empty when sluice writes the output itself (`stdout: true`) or fills a folder.
 */
export function childEnv(ctx: TransformContext<unknown>, extra: Readonly<Record<string, string>>, toStdout: boolean): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    SLUICE_INPUT: ctx.input,
    SLUICE_OUTPUT: toStdout ? '' : ctx.output ?? '',
    SLUICE_OUTPUT_DIR: ctx.outputDir ?? '',
    SLUICE_SOURCE: ctx.source.path,
    SLUICE_REL_PATH: ctx.source.relPath,
    SLUICE_PIPELINE: ctx.pipeline ?? '',
    SLUICE_STAGE: String(ctx.stage ?? 0),
    SLUICE_ATTEMPT: String(ctx.attempt ?? 1),
  };
}
