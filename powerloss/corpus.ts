/**
 * The inputs of a power-loss case: unique, recognizable contents ("input <id> line <k>\n" lines, so append blocks can be
 * parsed back), written either plainly (the caller then makes them durable with a whole-fs sync) or durably one by one
 * as a careful producer does (temp name, fsync, rename, fsync of the folder). Only durable inputs are counted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncPath } from './durable-io.js';
import type { Rng } from './seed.js';

export interface Input {
  readonly id: number;
  /** Relative to the inbox, `/`-separated. */
  readonly rel: string;
  readonly content: Buffer;
  readonly lines: number;
}

const folders = ['', 'a/', 'b/c/', 'b/d/', 'e/f/g/'];

export function lineOf(id: number, k: number): string {
  return `input ${id} line ${k}\n`;
}

export class Corpus {
  /** The durable inputs, by relative path. */
  readonly inputs = new Map<string, Input>();
  /** By id. */
  readonly byId = new Map<number, Input>();
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
    const content = Buffer.from(Array.from({ length: lines }, (_, k) => lineOf(id, k)).join(''));
    return { id, rel, content, lines };
  }

  #count(input: Input): void {
    this.inputs.set(input.rel, input);
    this.byId.set(input.id, input);
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
    const input = this.#make();
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

  /** Total bytes of all inputs: the exact size of an append output holding each once. */
  get bytes(): number {
    let n = 0;
    for (const input of this.inputs.values()) n += input.content.length;
    return n;
  }
}

/** mkdir -p where each folder created is made durable by an fsync of its parent. */
function mkdirsDurably(dir: string): void {
  if (fs.existsSync(dir)) return;
  mkdirsDurably(path.dirname(dir));
  fs.mkdirSync(dir);
  fsyncPath(path.dirname(dir));
}
