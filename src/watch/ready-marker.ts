import path from 'node:path';
import type { Template } from '../config/template.js';

/** Which inputs a marker that appeared may make eligible: named outright, or every file of a folder `match` accepts. */
export type MarkerTargets =
  | { readonly kind: 'files'; readonly relPaths: readonly string[] }
  | { readonly kind: 'folder'; readonly relDir: string; readonly match: (base: string) => boolean };

/**
 * An `input.marker` template compiled: the "done file" an input waits for, a name in the input's own folder built from
 * its {base}, {name} and {ext}. A template without placeholders is a folder marker: every file of its folder (not of
 * subfolders) waits for it. Pure: paths are relative to input.dir with `/` separators.
 */
export class ReadyMarker {
  readonly folder: boolean;
  readonly #template: Template;
  readonly #pattern: RegExp;
  /** For `prefix{base}suffix` templates: the input is the marker's name with both cut off. */
  readonly #byBase: { prefix: string; suffix: string } | null;

  constructor(template: Template) {
    this.#template = template;
    const keys = template.parts.filter((p) => 'key' in p);
    this.folder = keys.length === 0;
    const pattern = template.parts.map((p) => ('literal' in p ? escapeRegExp(p.literal) : p.key === 'ext' ? '(?:\\.[^.]*)?' : '.+'));
    this.#pattern = new RegExp(`^${pattern.join('')}$`, 's');
    const [first, second, third] = template.parts;
    const literal = (p: typeof first) => (p !== undefined && 'literal' in p ? p.literal : null);
    const baseAt = template.parts.findIndex((p) => 'key' in p && p.key === 'base');
    this.#byBase = keys.length === 1 && baseAt >= 0 && template.parts.length <= 3
      ? { prefix: baseAt === 0 ? '' : literal(first) ?? '', suffix: literal(baseAt === 0 ? second : third) ?? '' }
      : null;
  }

  /** The marker of the input `relPath`, relative to input.dir. */
  pathFor(relPath: string): string {
    const dir = path.posix.dirname(relPath);
    const name = this.#render(path.posix.basename(relPath));
    return dir === '.' ? name : `${dir}/${name}`;
  }

  /** True when a file named `base` is a marker (so never an input). */
  isMarker(base: string): boolean {
    return this.#pattern.test(base);
  }

  /** The inputs the marker at `relPath` (relative to input.dir) is for. */
  targets(relPath: string): MarkerTargets {
    const dir = path.posix.dirname(relPath);
    const relDir = dir === '.' ? '' : dir;
    const base = path.posix.basename(relPath);
    if (this.folder) return { kind: 'folder', relDir, match: (b) => !this.isMarker(b) };
    if (this.#byBase !== null) {
      const { prefix, suffix } = this.#byBase;
      const input = base.slice(prefix.length, base.length - suffix.length);
      return { kind: 'files', relPaths: input === '' ? [] : [relDir === '' ? input : `${relDir}/${input}`] };
    }
    return { kind: 'folder', relDir, match: (b) => !this.isMarker(b) && this.#render(b) === base };
  }

  #render(base: string): string {
    const ext = path.posix.extname(base);
    const values = { base, ext, name: ext ? base.slice(0, -ext.length) : base } as Record<string, string>;
    return this.#template.parts.map((p) => ('literal' in p ? p.literal : values[p.key] ?? '')).join('');
  }
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const compiled = new WeakMap<object, ReadyMarker | null>();

/** The pipeline's compiled `input.marker`, or null without one (compiled once per pipeline). */
export function readyMarkerOf(p: { readonly input: { readonly marker: Template | null } }): ReadyMarker | null {
  let marker = compiled.get(p);
  if (marker === undefined) compiled.set(p, (marker = p.input.marker === null ? null : new ReadyMarker(p.input.marker)));
  return marker;
}

/** The absolute path of the ready marker the input `relPath` waits for, or null when the pipeline has no input.marker. */
export function readyMarkerFile(p: { readonly input: { readonly dir: string; readonly marker: Template | null } }, relPath: string): string | null {
  const marker = readyMarkerOf(p);
  return marker === null ? null : path.join(p.input.dir, marker.pathFor(relPath));
}
