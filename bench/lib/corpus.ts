import fs from 'node:fs';
import path from 'node:path';
import { rng } from '../../test/helpers/measure.js';

export { rng };

const words = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo ' +
  'consequat duis aute irure in reprehenderit voluptate velit esse cillum eu fugiat nulla pariatur excepteur sint ' +
  'occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum 0 1 2 3 4 5 6 7 8 9')
  .split(' ');


/** `size` bytes of word salad: compresses about 3:1 with gzip -6, like logs or text exports. */
export function text(size: number, random: () => number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const w = random() < 0.08 ? '\n' : `${words[Math.floor(random() * words.length)]} `;
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join('').slice(0, size));
}

/** `count` files of `size` bytes in `folders` sub-folders of `dir`; returns their relative paths. */
export function makeTree(dir: string, count: number, size: number, folders: number, seed = 1): string[] {
  const random = rng(seed);
  const rels: string[] = [];
  for (let i = 0; i < count; i++) {
    const d = folders <= 1 ? '' : `d${String(i % folders).padStart(3, '0')}/`;
    rels.push(`${d}f${String(i).padStart(6, '0')}.txt`);
  }
  const made = new Set<string>();
  for (const rel of rels) {
    const abs = path.join(dir, rel);
    const parent = path.dirname(abs);
    if (!made.has(parent)) {
      fs.mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    fs.writeFileSync(abs, text(size, random));
  }
  return rels;
}

/** A large file of word salad, written in 1 MiB blocks that differ from one another. */
export function makeBigFile(file: string, size: number): void {
  const random = rng(7);
  const block = text(1 << 20, random);
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0, i = 0; written < size; i++) {
      const header = Buffer.from(`block ${i} ${random()}\n`);
      const chunk = Buffer.concat([header, block.subarray(header.length + (i % 997))]).subarray(0, Math.min(1 << 20, size - written));
      fs.writeSync(fd, chunk);
      written += chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
}
