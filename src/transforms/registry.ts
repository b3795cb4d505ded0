import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { SluiceError } from '../errors.js';
import { copy } from './builtin/copy.js';
import { exec } from './builtin/exec.js';
import { gunzip } from './builtin/gunzip.js';
import { gzip } from './builtin/gzip.js';
import { json } from './builtin/json.js';
import { replace } from './builtin/replace.js';
import { loadModuleTransform } from './module.js';
import type { TransformDefinition } from './types.js';

const builtins: ReadonlyMap<string, TransformDefinition> = new Map<string, TransformDefinition>(
  [copy, gzip, gunzip, replace, json, exec].map((definition) => [definition.name, definition as TransformDefinition]),
);

/** The built-in transform names, in documentation order. */
export const builtinNames: readonly string[] = Object.freeze([...builtins.keys()]);

export function isBuiltin(name: string): boolean {
  return builtins.has(name);
}

/** How many loaded modules are kept; when full the oldest entry is evicted. */
export const MODULE_CACHE_LIMIT = 256;

interface CacheEntry {
  /** The file's mtime and size when loaded: a change reloads it. */
  readonly stamp: string;
  readonly definition: Promise<TransformDefinition>;
}

const moduleCache = new Map<string, CacheEntry>();

/**
 * Resolves a stage's `use`: a built-in name, or a module path starting with './', '../' or '/' (resolved against
 * `baseDir`, the config file's folder) loaded by loadModuleTransform. Modules are cached per absolute path, and loaded
 * again when the file's mtime or size changes; failed loads are not cached.
 * @throws SluiceError TRANSFORM_UNKNOWN (permanent) for any other name; TRANSFORM_MODULE_INVALID from loading a module.
 */
export async function resolveTransform(use: string, baseDir: string): Promise<TransformDefinition> {
  const builtin = builtins.get(use);
  if (builtin !== undefined) return builtin;
  if (!isModulePath(use)) {
    throw new SluiceError(
      'TRANSFORM_UNKNOWN',
      `Unknown transform "${use}". Built-in transforms are: ${builtinNames.join(', ')}. A transform module is named ` +
        `by its path, which must start with ./, ../ or / (relative paths are resolved against the config file's ` +
        `folder), e.g. "./transforms/${use}.mjs".`,
      { kind: 'permanent', context: { use, builtins: builtinNames } },
    );
  }
  return loadCached(resolve(baseDir, use));
}

function isModulePath(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || isAbsolute(use);
}

async function loadCached(absPath: string): Promise<TransformDefinition> {
  const stamp = await stat(absPath).then(
    (s) => `${s.mtimeMs}:${s.size}`,
    () => 'missing',
  );
  const cached = moduleCache.get(absPath);
  if (cached?.stamp === stamp) return cached.definition;
  const definition = loadModuleTransform(absPath);
  remember(absPath, { stamp, definition });
  definition.catch(() => {
    if (moduleCache.get(absPath)?.definition === definition) moduleCache.delete(absPath);
  });
  return definition;
}

function remember(absPath: string, entry: CacheEntry): void {
  moduleCache.delete(absPath);
  moduleCache.set(absPath, entry);
  // Map iteration order is insertion order, so the first key is the oldest.
  while (moduleCache.size > MODULE_CACHE_LIMIT) moduleCache.delete(moduleCache.keys().next().value!);
}
