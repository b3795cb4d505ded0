import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { SluiceError, describe, toSluiceError } from '../errors.js';
import { abortReason } from '../core/abort.js';
import { moduleOptionsParser } from './module-options.js';
import type { TransformContext, TransformDefinition } from './types.js';

const expected =
  'a transform module must default-export `async function (ctx) { … }` or `{ async run(ctx) { … } }`, ' +
  'optionally with `parseOptions(raw)` or `validate(options)` (on the default export or as named exports)';

type Run = (ctx: TransformContext<unknown>) => unknown;

/**
 * Loads a user's transform module (ESM, or CommonJS via `module.exports`). The definition's `name` is `absPath` and its
 * `digest` the sha256 of the file's bytes. The module is imported under a URL carrying that digest, so loading an
 * edited file again runs the new code (only the file itself: what it imports stays cached, as do CommonJS files).
 * Options are parsed as moduleOptionsParser describes. At run time anything the module throws becomes a SluiceError
 * (toSluiceError: transient unless marked `permanent: true`), or the abort reason once `ctx.signal` has fired; a
 * returned value is ignored.
 * @throws SluiceError TRANSFORM_MODULE_INVALID (permanent) when the file is missing, fails to import, or has no usable
 * default export.
 */
export async function loadModuleTransform(absPath: string): Promise<TransformDefinition> {
  const bytes = await readModule(absPath);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const mod = await importModule(absPath, digest);
  const def = mod.default as Record<string, unknown> | undefined;
  const run = runOf(absPath, def);
  return {
    name: absPath,
    digest,
    // A module fills ctx.outputDir when it is the last stage of a folder-output pipeline, or ctx.output otherwise.
    fillsFolders: true,
    parseOptions: moduleOptionsParser({
      parseOptions: hookOf(absPath, 'parseOptions', def, mod),
      validate: hookOf(absPath, 'validate', def, mod),
    }),
    async run(ctx) {
      try {
        await run(ctx);
      } catch (err) {
        throw ctx.signal.aborted ? abortReason(ctx.signal) : toSluiceError(err, { module: absPath });
      }
    },
  };
}

function invalid(absPath: string, problem: string, cause?: unknown): SluiceError {
  return new SluiceError('TRANSFORM_MODULE_INVALID', `Transform module ${absPath} ${problem}; ${expected}.`, {
    kind: 'permanent',
    cause,
    context: { module: absPath },
  });
}

async function readModule(absPath: string): Promise<Buffer> {
  try {
    return await readFile(absPath);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') throw invalid(absPath, 'does not exist', err);
    if (code === 'EISDIR') throw invalid(absPath, 'is a folder', err);
    throw invalid(absPath, `cannot be read (${describe(err)})`, err);
  }
}

async function importModule(absPath: string, digest: string): Promise<Record<string, unknown>> {
  try {
    return (await import(`${pathToFileURL(absPath).href}?sha256=${digest}`)) as Record<string, unknown>;
  } catch (err) {
    const what = err instanceof Error ? `${err.name}: ${err.message}` : describe(err);
    const hint = err instanceof SyntaxError ? ` (run \`node --check ${absPath}\` to see where)` : '';
    throw invalid(absPath, `failed to import: ${what}${hint}`, err);
  }
}

function runOf(absPath: string, def: unknown): Run {
  if (typeof def === 'function') return def as Run;
  const run = (def as { run?: unknown } | null | undefined)?.run;
  if (typeof run === 'function') return (run as Run).bind(def);
  if (def === undefined) throw invalid(absPath, 'has no default export');
  throw invalid(absPath, `has a default export that is ${kindOf(def)} without a run() method`);
}

/** The hook `name` from the default export (called as its method) or else from the named exports. */
function hookOf(
  absPath: string,
  name: 'parseOptions' | 'validate',
  def: Record<string, unknown> | undefined,
  mod: Record<string, unknown>,
): ((raw: unknown) => unknown) | undefined {
  const own = def?.[name];
  const hook = own ?? mod[name];
  if (hook === undefined) return undefined;
  if (typeof hook !== 'function') throw invalid(absPath, `exports ${name} as ${kindOf(hook)}, not a function`);
  return (hook as (raw: unknown) => unknown).bind(own === undefined ? undefined : def);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
