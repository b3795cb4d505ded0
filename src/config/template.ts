import path from 'node:path';

/** The placeholders an `output.path` template may use. */
export const placeholders = ['relDir', 'name', 'ext', 'base', 'pipeline', 'date'] as const;
export type Placeholder = (typeof placeholders)[number];
export type TemplateValues = Record<Placeholder, string>;

type Part = { literal: string } | { key: Placeholder };

/** A parsed `output.path` template. Build with `parseTemplate`, which refuses what could escape `output.dir`. */
export interface Template {
  readonly source: string;
  readonly parts: readonly Part[];
}

/** Splits a template into literals and placeholders; returns every problem found (empty when valid). */
export function parseTemplate(source: string): { template: Template; problems: string[] } {
  const parts: Part[] = [];
  const problems: string[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    if (m.index > last) parts.push({ literal: source.slice(last, m.index) });
    const key = m[1] ?? '';
    if ((placeholders as readonly string[]).includes(key)) parts.push({ key: key as Placeholder });
    else problems.push(`unknown placeholder {${key}} (known: ${placeholders.map((p) => `{${p}}`).join(' ')})`);
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push({ literal: source.slice(last) });
  const literals = parts.map((p) => ('literal' in p ? p.literal : '')).join('');
  if (/[{}]/.test(literals)) problems.push('unbalanced { or } (placeholders look like {base})');
  problems.push(...escapeProblems(source, parts));
  return { template: { source, parts }, problems };
}

function escapeProblems(source: string, parts: readonly Part[]): string[] {
  const problems: string[] = [];
  if (source.startsWith('/') || path.isAbsolute(source)) problems.push('must be relative to output.dir, not absolute');
  for (const part of parts) {
    if ('literal' in part && part.literal.split('/').some((seg) => seg === '..')) {
      problems.push('must not contain ".." segments: outputs must stay inside output.dir');
      break;
    }
  }
  if (problems.length === 0) {
    const sample = renderRaw({ source, parts }, sampleValues);
    if (sample === null) problems.push('renders to an empty path or a folder; it must name a file');
  }
  return problems;
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
 * Renders the template to a normalised relative path, or null when the result is empty, names a folder, or escapes
 * (`..` after normalisation, or absolute).
 */
export function renderRaw(template: Template, values: TemplateValues): string | null {
  const raw = template.parts.map((p) => ('literal' in p ? p.literal : values[p.key])).join('');
  if (raw.endsWith('/') || raw.includes('\0')) return null;
  // The template itself is never absolute (parseTemplate refuses it): a leading `/` comes from an empty {relDir}.
  const normal = path.posix.normalize(raw.replace(/^\/+/, '')).replace(/^(\.\/)+/, '');
  if (normal === '' || normal === '.' || normal.startsWith('../') || normal === '..') return null;
  if (path.posix.isAbsolute(normal)) return null;
  return normal;
}
