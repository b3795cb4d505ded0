import path from 'node:path';
import { render, templateValues, type Template } from '../config/template.js';
import { SluiceError } from '../errors.js';
import type { Job } from './job.js';

/** Where one input's result goes: one file, or a folder that receives every file of a result folder. */
export type OutputTarget = { readonly kind: 'file'; readonly final: string } | { readonly kind: 'folder'; readonly dir: string };

/** The rendered output of `job`; OUTPUT_ESCAPES (permanent) when it would leave output.dir. */
export function outputTarget(job: Job): OutputTarget {
  const rendered = renderIn(job, job.pipeline.output.template, 'output.path');
  return job.pipeline.output.template.folder ? { kind: 'folder', dir: rendered } : { kind: 'file', final: rendered };
}

/** The rendered output file of a file-output pipeline's `job` (see outputTarget). */
export function outputPath(job: Job): string {
  const target = outputTarget(job);
  if (target.kind === 'file') return target.final;
  throw new SluiceError('OUTPUT_INVALID', `output.path "${job.pipeline.output.template.source}" names a folder`, { kind: 'permanent' });
}

/** The absolute path of `job`'s completion marker, or null when output.marker is not set. */
export function outputMarkerPath(job: Pick<Job, 'pipeline' | 'relPath'>): string | null {
  const { marker } = job.pipeline.output;
  return marker === null ? null : renderIn(job, marker, 'output.marker');
}

function renderIn(job: Pick<Job, 'pipeline' | 'relPath'>, template: Template, key: string): string {
  const { output, name } = job.pipeline;
  const rel = render(template, templateValues(job.relPath, name));
  if (rel === null) {
    throw new SluiceError('OUTPUT_ESCAPES',
      `${key} "${template.source}" renders to a path outside output.dir (or to no file at all) for ${job.relPath}`,
      { kind: 'permanent', context: { stage: 'output' } });
  }
  return path.join(output.dir, rel);
}
