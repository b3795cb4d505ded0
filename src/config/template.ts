import path from 'node:path';

/** The placeholders an `output.path` template may use. */
export const placeholders = ['relDir', 'name', 'ext', 'base', 'pipeline', 'date'] as const;
export type Placeholder = (typeof placeholders)[number];
export type TemplateValues = Record<Placeholder, string>;

type Part = { literal: string } | { key: Placeholder };

/**
 * A parsed `output.path` (or `output.marker`) template. Build with `parseTemplate`, which refuses what could escape
 * `output.dir`. A `folder` template ends in `/`: it names the folder an input's many outputs go into.
 */
export interface Template {
  readonly source: string;
  readonly parts: readonly Part[];
  readonly folder: boolean;
}

/** Splits a template into literals and placeholders (of `allowed` only); returns every problem found (empty when valid). */
export function parseTemplate(source: string, allowed: readonly Placeholder[] = placeholders): { template: Template; problems: string[] } {
  const { parts, problems } = splitTemplate(source, allowed);
  const template = { source, parts, folder: source.endsWith('/') };
  problems.push(...escapeProblems(template));
  return { template, problems };
}

/** The literals and placeholders of `source`, and the problems with its braces and names. */
export function splitTemplate(source: string, allowed: readonly Placeholder[]): { parts: Part[]; problems: string[] } {
  const parts: Part[] = [];
  const problems: string[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    if (m.index > last) parts.push({ literal: source.slice(last, m.index) });
    const key = m[1] ?? '';
    if ((allowed as readonly string[]).includes(key)) parts.push({ key: key as Placeholder });
    else problems.push(`unknown placeholder {${key}} (known: ${allowed.map((p) => `{${p}}`).join(' ')})`);
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push({ literal: source.slice(last) });
  const literals = parts.map((p) => ('literal' in p ? p.literal : '')).join('');
  if (/[{}]/.test(literals)) problems.push('unbalanced { or } (placeholders look like {base})');
  return { parts, problems };
}

function escapeProblems(template: Template): string[] {
  const { source, parts } = template;
  const problems: string[] = [];
  if (source.startsWith('/') || path.isAbsolute(source)) problems.push('must be relative to output.dir, not absolute');
  for (const part of parts) {
    if ('literal' in part && part.literal.split('/').some((seg) => seg === '..')) {
      problems.push('must not contain ".." segments: outputs must stay inside output.dir');
      break;
    }
  }
  if (problems.length === 0 && render(template, sampleValues) === null) {
    problems.push(template.folder ? 'renders to a path outside output.dir' : 'renders to an empty path or a folder; it must name a file');
  }
  return problems;
}

/** The template rendered for one input: renderFolder for a folder template, renderRaw for a file template. */
export function render(template: Template, values: TemplateValues): string | null {
  return template.folder ? renderFolder(template, values) : renderRaw(template, values);
}

const sampleValues: TemplateValues = {
  relDir: 'a/b', name: 'file', ext: '.txt', base: 'file.txt', pipeline: 'p', date: '2026-01-01',
};

/** The values for one input file, from its path relative to `input.dir` (with `/` separators). */
export function templateValues(relPath: string, pipeline: string, now = new Date()): TemplateValues {
  const base = path.posix.basename(relPath);
  const relDir = path.posix.dirname(relPath);
  const ext = path.posix.extname(base);
  return {
    relDir: relDir === '.' ? '' : relDir,
    base,
    ext,
    name: ext ? base.slice(0, -ext.length) : base,
    pipeline,
    date: now.toISOString().slice(0, 10),
  };
}

/**
 * Renders a file template to a normalised relative path, or null when the result is empty, names a folder, or escapes
 * (`..` after normalisation, or absolute).
 */
export function renderRaw(template: Template, values: TemplateValues): string | null {
  const raw = joined(template, values);
  if (raw.endsWith('/')) return null;
  const normal = normalised(raw);
  return normal === '' ? null : normal;
}

/** Renders a folder template to a normalised relative folder ('' for output.dir itself), or null when it escapes. */
export function renderFolder(template: Template, values: TemplateValues): string | null {
  return normalised(joined(template, values));
}

function joined(template: Template, values: TemplateValues): string {
  return template.parts.map((p) => ('literal' in p ? p.literal : values[p.key])).join('');
}

/** `raw` relative and normalised without a trailing `/`; '' for the folder itself; null when it escapes. */
function normalised(raw: string): string | null {
  if (raw.includes('\0')) return null;
  // The template itself is never absolute (parseTemplate refuses it): a leading `/` comes from an empty {relDir}.
  const normal = path.posix.normalize(`${raw.replace(/^\/+/, '')}/`).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (normal === '.' || normal === '') return '';
  if (normal.startsWith('../') || normal === '..' || path.posix.isAbsolute(normal)) return null;
  return normal;
}
