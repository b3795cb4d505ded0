/**
 * The inputs of a power-loss case: unique, recognizable contents ("input <id> line <k>\n" lines, so append blocks can be
 * parsed back), written either plainly (the caller then makes them durable with a whole-fs sync) or durably one by one
 * as a careful producer does (temp name, fsync, rename, fsync of the folder). Only durable inputs are counted. An input
 * may be rewritten durably, the same way, with a new version of its content ("input <id> version <v> line <k>\n": no
 * line of one version is in another); every version it had is remembered.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncPath } from './durable-io.js';
import { partBytes } from './layout.js';
import type { Rng } from './seed.js';

export interface Input {
  readonly id: number;
  /** Relative to the inbox, `/`-separated. */
  readonly rel: string;
  readonly content: Buffer;
  readonly lines: number;
  /** 1 as first written; each durable rewrite counts up. */
  readonly version: number;
}

const folders = ['', 'a/', 'b/c/', 'b/d/', 'e/f/g/'];

export function lineOf(id: number, k: number, version = 1): string {
  return version === 1 ? `input ${id} line ${k}\n` : `input ${id} version ${version} line ${k}\n`;
}

/** How many parts a folder output splits `bytes` bytes into (layout's partBytes). */
export function partsOf(bytes: number): number {
  return Math.ceil(bytes / partBytes);
}

export class Corpus {
  /** The durable inputs, by relative path: each one's latest version. */
  readonly inputs = new Map<string, Input>();
  /** By id. */
  readonly byId = new Map<number, Input>();
  /** Every version each input had, oldest first, by relative path. */
  readonly #versions = new Map<string, Input[]>();
  readonly #inbox: string;
  readonly #rng: Rng;
  #next = 1;

  constructor(inbox: string, rng: Rng) {
    this.#inbox = inbox;
    this.#rng = rng;
  }

  /** A new input (not yet written): mostly a few lines, now and then a few thousand. */
  #make(): Input {
    const id = this.#next++;
    const lines = this.#rng.next() < 0.03 ? this.#rng.int(2000, 6000) : this.#rng.int(1, 40);
    const rel = `${folders[id % folders.length]}in${id}.txt`;
    return versionOf(id, rel, 1, lines);
  }

  #count(input: Input): void {
    this.inputs.set(input.rel, input);
    this.byId.set(input.id, input);
    const versions = this.#versions.get(input.rel);
    if (versions) versions.push(input);
    else this.#versions.set(input.rel, [input]);
  }

  /** Every version the input at `rel` had (each durable when written), oldest first; [] for an unknown path. */
  versionsOf(rel: string): readonly Input[] {
    return this.#versions.get(rel) ?? [];
  }

  /** Writes `n` new inputs without any fsync and counts them: the caller must sync the file system before anything else. */
  writePlain(n: number): void {
    for (let i = 0; i < n; i++) {
      const input = this.#make();
      const file = path.join(this.#inbox, input.rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, input.content);
      this.#count(input);
    }
  }

  /**
   * Adds one input durably (synchronously, so a power cut can only come before or after it): folders made and their
   * parents fsynced, the content written under `<name>.part` (excluded by sluice) and fsynced, renamed into place, and the
   * folder fsynced. Only then is it counted.
   */
  addDurably(): Input {
    return this.#writeDurably(this.#make());
  }

  /**
   * Rewrites one of the inputs at `rels` (chosen at random; unknown paths are passed over) durably, as addDurably
   * writes one (the rename replaces it), with a new version whose part count differs: a one-part input grows to 2–12
   * parts (a `rest/` subfolder appears), any other shrinks to one part half the time (its `rest/` must go), else to
   * another count in 1–12. Only then is the new version counted. Null when no path of `rels` is an input.
   */
  rewriteOneOf(rels: Iterable<string>): Input | null {
    const known = [...rels].filter((rel) => this.inputs.has(rel));
    if (known.length === 0) return null;
    const old = this.inputs.get(known[this.#rng.int(0, known.length - 1)]!)!;
    const had = partsOf(old.content.length);
    let parts = had === 1 ? this.#rng.int(2, 12) : this.#rng.next() < 0.5 ? 1 : this.#rng.int(1, 11);
    if (had !== 1 && parts >= had) parts += 1;
    const version = old.version + 1;
    return this.#writeDurably(versionOf(old.id, old.rel, version, this.#linesFor(old.id, version, parts)));
  }

  /** A random line count whose content (version `version` of input `id`) splits into exactly `parts` parts. */
  #linesFor(id: number, version: number, parts: number): number {
    const fits: number[] = [];
    for (let k = 0, bytes = 0; bytes <= parts * partBytes; k++) {
      bytes += Buffer.byteLength(lineOf(id, k, version));
      if (partsOf(bytes) === parts) fits.push(k + 1);
    }
    return fits[this.#rng.int(0, fits.length - 1)]!;
  }

  /** Writes `input` in place durably (see addDurably) and counts it. */
  #writeDurably(input: Input): Input {
    const file = path.join(this.#inbox, input.rel);
    mkdirsDurably(path.dirname(file));
    const part = `${file}.part`;
    const fd = fs.openSync(part, 'w');
    try {
      fs.writeSync(fd, input.content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(part, file);
    fsyncPath(path.dirname(file));
    this.#count(input);
    return input;
  }

  get size(): number {
    return this.inputs.size;
  }

  /** How many rewrites were made: versions beyond the first. */
  get rewrites(): number {
    let n = 0;
    for (const versions of this.#versions.values()) n += versions.length - 1;
    return n;
  }

  /** Total bytes of all inputs: the exact size of an append output holding each once. */
  get bytes(): number {
    let n = 0;
    for (const input of this.inputs.values()) n += input.content.length;
    return n;
  }
}

/** Version `version` of input `id`: `lines` lines (see lineOf). */
function versionOf(id: number, rel: string, version: number, lines: number): Input {
  const content = Buffer.from(Array.from({ length: lines }, (_, k) => lineOf(id, k, version)).join(''));
  return { id, rel, content, lines, version };
}

/** mkdir -p where each folder created is made durable by an fsync of its parent. */
function mkdirsDurably(dir: string): void {
  if (fs.existsSync(dir)) return;
  mkdirsDurably(path.dirname(dir));
  fs.mkdirSync(dir);
  fsyncPath(path.dirname(dir));
}
