import path from 'node:path';
import picomatch from 'picomatch';
import type { ResolvedPipeline } from '../config/resolved.js';
import { readyMarkerOf } from './ready-marker.js';

/** Names never read as input: dotfiles and the leftovers of writers still at work. */
export const builtinExcludes = ['*.part', '*.tmp', '*.crdownload', '*.swp', '~$*'] as const;

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly rule: string };

/** Pure, fast include/exclude decisions for one pipeline; paths are relative to `input.dir` with `/` separators. */
export interface InputFilter {
  file(relPath: string): Verdict;
  /** False when nothing below the folder can be an input, so a walk may skip it. */
  dir(relPath: string): boolean;
}

const accepted: Verdict = { ok: true };

export function createFilter(p: ResolvedPipeline): InputFilter {
  const include = p.input.include.map((g) => picomatch(g, { dot: true }));
  const exclude = p.input.exclude.map((g) => [g, picomatch(g, { dot: true })] as const);
  const builtin = builtinExcludes.map((g) => [g, picomatch(g, { dot: true })] as const);
  const prunable = p.input.exclude.filter((g) => g.endsWith('/**')).map((g) => picomatch(g.slice(0, -3), { dot: true }));
  const ownDirs = p.input.excludedDirs.map((d) => path.relative(p.input.dir, d).split(path.sep).join('/'));
  const inOwnDir = (rel: string) => ownDirs.find((d) => rel === d || rel.startsWith(`${d}/`));
  const marker = readyMarkerOf(p);

  return {
    file(relPath) {
      const own = inOwnDir(relPath);
      if (own !== undefined) return { ok: false, rule: `inside ${own}/, a folder sluice writes to (excluded automatically)` };
      const segments = relPath.split('/');
      if (segments.some((s) => s.startsWith('.'))) return { ok: false, rule: 'built-in exclude: dotfiles and dot folders' };
      const base = segments[segments.length - 1] ?? '';
      for (const [glob, match] of builtin) if (match(base)) return { ok: false, rule: `built-in exclude ${glob}` };
      if (marker?.isMarker(base)) return { ok: false, rule: `input.marker ${p.input.marker!.source}: a ready marker, not an input` };
      if (!include.some((match) => match(relPath))) return { ok: false, rule: `matches no include (${p.input.include.join(', ')})` };
      for (const [glob, match] of exclude) if (match(relPath)) return { ok: false, rule: `exclude ${glob}` };
      return accepted;
    },
    dir(relPath) {
      if (relPath === '') return true;
      if (inOwnDir(relPath) !== undefined) return false;
      if (relPath.split('/').some((s) => s.startsWith('.'))) return false;
      return !prunable.some((match) => match(relPath));
    },
  };
}
