import type { ResolvedStage } from './resolved.js';
import type { RawPipeline } from './schema.js';
import { parseTemplate, splitTemplate, type Template } from './template.js';

/**
 * Refusals that tie a pipeline's output settings to its stages: folder outputs (output.path ending in `/`) need a
 * last stage that fills `{outDir}` and replace mode; `{outDir}` and `{out}` each belong where they can be given;
 * conflict and marker do not go with append. Each problem names its key.
 */
export function outputRules(p: RawPipeline, i: number, stages: readonly ResolvedStage[]): string[] {
  const at = `pipelines[${i}]`;
  const folder = p.output.path.endsWith('/');
  const append = p.output.mode === 'append';
  const problems: string[] = [];
  if (folder && append) {
    problems.push(`${at}.output.mode: append cannot be used with a folder output (output.path "${p.output.path}" ends in "/"); ` +
      'an append output is one file: use mode: replace, or a file path');
  }
  if (append && p.output.conflict !== undefined) {
    problems.push(`${at}.output.conflict: cannot be used with mode: append (every input adds a block to the same file)`);
  }
  if (append && p.output.marker !== undefined) {
    problems.push(`${at}.output.marker: cannot be used with mode: append (an append output is never complete)`);
  }
  const last = p.stages.length - 1;
  for (const stage of stages) problems.push(...stageRules(stage, `${at}.stages[${stage.index}]`, stage.index === last, folder));
  return problems;
}

function stageRules(stage: ResolvedStage, at: string, last: boolean, folder: boolean): string[] {
  const problems: string[] = [];
  const refs = stage.transform.outputRefs?.(stage.options) ?? { out: false, outDir: false };
  const command = `${at}.with.command`;
  if (refs.outDir && !last) problems.push(`${command}: {outDir} is for the last stage only; this stage writes {out} for the next one`);
  else if (refs.outDir && !folder) {
    problems.push(`${command}: {outDir} needs a folder output: end output.path with "/" (like "{relDir}/{name}/")`);
  }
  if (folder && last && refs.out) {
    problems.push(`${command}: {out} (or stdout: true) writes one file, but output.path is a folder: have the program write into {outDir}`);
  }
  if (folder && last && stage.transform.fillsFolders !== true) {
    problems.push(`${at}.use: ${stage.use} writes one file; the last stage of a folder-output pipeline must fill {outDir}: ` +
      'use exec or a transform module');
  }
  if (last && stage.ext !== null) {
    problems.push(`${at}.ext: only a stage that another stage follows takes ext; the last stage's extension is output.path's`);
  }
  return problems;
}

/** `output.marker` parsed: a file path template inside output.dir. */
export function outputMarker(source: string | undefined, i: number, problems: string[]): Template | null {
  if (source === undefined) return null;
  const { template, problems: found } = parseTemplate(source);
  if (template.folder) found.push('must name a file, not a folder (drop the trailing "/")');
  for (const problem of found) problems.push(`pipelines[${i}].output.marker: "${source}" ${problem}`);
  return template;
}

/** `input.marker` parsed: a name in the input's folder, with {base}, {name} and {ext} of the input, or none (a folder marker). */
export function inputMarker(source: string | undefined, i: number, problems: string[]): Template | null {
  if (source === undefined) return null;
  const { parts, problems: found } = splitTemplate(source, ['base', 'name', 'ext']);
  if (source.includes('/') || source === '.' || source === '..') {
    found.push('must be a file name in the input\'s folder (no "/"), like "{base}.done" or "_READY"');
  }
  if (source === '{base}' || source === '{name}{ext}') found.push('names the input itself; add to it, like "{base}.done"');
  for (const problem of found) problems.push(`pipelines[${i}].input.marker: "${source}" ${problem}`);
  return { source, parts, folder: false };
}
