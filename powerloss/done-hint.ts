/** Whether a case's outbox looks finished: the final watch's cue to stop (cheap: names and sizes, no contents). */
import fs from 'node:fs';
import path from 'node:path';
import type { Corpus } from './corpus.js';
import { expectedFiles } from './folder-checks.js';
import type { Layout, Mode } from './layout.js';
import { countFiles, filesUnder, tempDir } from './mount-files.js';

/**
 * True once everything looks processed: an empty inbox (inputs disposed of), else an output per input (`all.log` as
 * long as all of them, for append). A kept folder output must hold exactly the files of every input's latest version,
 * of their sizes, marker included: an earlier version's folder, marked, may still be there (rewrites change the part
 * count, so the names alone tell most of them apart).
 */
export function looksDone(l: Layout, mode: Mode, corpus: Corpus): boolean {
  if (mode.onSuccess !== 'keep') return countFiles(l.inbox) === 0;
  if (mode.output === 'append') return (fs.statSync(path.join(l.outbox, 'all.log'), { throwIfNoEntry: false })?.size ?? 0) >= corpus.bytes;
  if (mode.output !== 'folder') return countFiles(l.outbox) >= corpus.size;
  const want = new Map<string, number>();
  for (const input of corpus.inputs.values()) for (const [rel, data] of expectedFiles(input)) want.set(rel, data.length);
  const have = filesUnder(l.outbox).filter((rel) => !rel.startsWith(`${tempDir}/`));
  return have.length === want.size && have.every((rel) =>
    want.get(rel) === fs.statSync(path.join(l.outbox, rel), { throwIfNoEntry: false })?.size);
}

