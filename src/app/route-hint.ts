import path from 'node:path';
import type { ResolvedPipeline } from '../config/resolved.js';
import type { Intake } from '../pipeline/intake.js';
import { createFilter, type InputFilter } from '../watch/filter.js';

const filters = new WeakMap<ResolvedPipeline, InputFilter>();

/** Hands a watch event's path to the intake of every pipeline whose input folder and filter take it. */
export function routeHint(pipelines: readonly ResolvedPipeline[], intake: Intake, absPath: string): void {
  for (const p of pipelines) {
    const rel = path.relative(p.input.dir, absPath);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const relPath = rel.split(path.sep).join('/');
    if (filterOf(p).file(relPath).ok) intake.hint(p, relPath);
  }
}

function filterOf(p: ResolvedPipeline): InputFilter {
  let filter = filters.get(p);
  if (!filter) filters.set(p, (filter = createFilter(p)));
  return filter;
}
