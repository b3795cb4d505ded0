import path from 'node:path';
import type { Disposition } from './resolved.js';

/** What the folder checks need to know of a pipeline. */
export interface PipelineFolders {
  readonly name: string;
  readonly input: { readonly dir: string; readonly include: readonly string[] };
  readonly output: { readonly dir: string };
  readonly onSuccess: Disposition;
  readonly onFailure: Disposition;
}

/** True when `inner` is `outer` or lies below it. */
export function isWithin(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function movesInputs(p: PipelineFolders): boolean {
  return p.onSuccess.kind !== 'keep' || p.onFailure.kind !== 'keep';
}

/** `**\/*.ext` or `*.ext` → `.ext`; anything else → null (not provably limited to one extension). */
function extensionOf(glob: string): string | null {
  const m = /^(?:\*\*\/)?\*(\.[A-Za-z0-9_-]+)$/.exec(glob);
  return m ? (m[1] ?? null).toLowerCase() : null;
}

/** Two include lists are provably disjoint when both only name file extensions and they share none. */
function includesDisjoint(a: PipelineFolders, b: PipelineFolders): boolean {
  const ea = a.input.include.map(extensionOf);
  const eb = b.input.include.map(extensionOf);
  if (ea.includes(null) || eb.includes(null)) return false;
  return !ea.some((ext) => eb.includes(ext));
}

/** One problem per pipeline whose (string) name an earlier pipeline already has; `names` are indexed like `pipelines`. */
export function duplicateNames(names: readonly unknown[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first !== undefined) problems.push(`pipelines[${i}].name: "${name}" is already the name of pipelines[${first}]; names must be unique`);
    else seen.set(name, i);
  });
  return problems;
}

/**
 * Refusals that need more than one key: overlapping inputs, folders that cannot be excluded. `pipelines` is indexed
 * like the config's list; an undefined entry (its folders did not parse) is skipped, as is a stateDir that did not.
 */
export function checkPipelines(pipelines: readonly (PipelineFolders | undefined)[], stateDir: string | undefined): string[] {
  const problems: string[] = [];
  pipelines.forEach((p, i) => {
    if (p === undefined) return;
    const own: [string, string | null][] = [
      ['output.dir', p.output.dir],
      ['onSuccess.moveTo', p.onSuccess.kind === 'move' ? p.onSuccess.dir : null],
      ['onFailure.moveTo', p.onFailure.kind === 'move' ? p.onFailure.dir : null],
    ];
    for (const [key, dir] of own) {
      if (dir !== null && isWithin(dir, p.input.dir)) {
        problems.push(`pipelines[${i}].${key}: ${dir} is the input folder ${p.input.dir} or contains it; ` +
          'use a folder outside it or a subfolder of it (subfolders are excluded from the input automatically)');
      }
    }
    if (stateDir !== undefined && isWithin(stateDir, p.input.dir)) {
      problems.push(`stateDir: ${stateDir} is the input folder of pipelines[${i}] or contains it; use another folder`);
    }
  });
  problems.push(...overlapProblems(pipelines));
  return problems;
}

function overlapProblems(pipelines: readonly (PipelineFolders | undefined)[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < pipelines.length; i++) {
    for (let j = i + 1; j < pipelines.length; j++) {
      const a = pipelines[i];
      const b = pipelines[j];
      if (a === undefined || b === undefined) continue;
      const nested = isWithin(a.input.dir, b.input.dir) || isWithin(b.input.dir, a.input.dir);
      if (!nested || !(movesInputs(a) || movesInputs(b)) || includesDisjoint(a, b)) continue;
      problems.push(`pipelines[${j}].input: pipelines "${a.name}" and "${b.name}" read overlapping inputs ` +
        `(${a.input.dir}, ${b.input.dir}) and at least one of them deletes or moves its inputs, so the other could ` +
        'lose files; give them separate folders, disjoint include patterns (like **/*.csv and **/*.json), or onSuccess/onFailure: keep');
    }
  }
  return problems;
}
