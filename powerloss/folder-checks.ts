/**
 * The durability contract of a folder output (layout's splitStage): each input's folder `{relDir}/{name}/` in the
 * outbox gets the input's parts (part-aaa at the top, the rest under `restDir`) and, once they are committed and
 * recorded, the empty `markerName` marker. A folder holding its marker holds exactly the parts, each whole, and nothing
 * else; a part is whole anywhere (its data is durable before its name). Violations as in checks.ts: one line each.
 */
import path from 'node:path';
import type { Corpus, Input } from './corpus.js';
import { markerName, partBytes, restDir, type Layout } from './layout.js';
import { bytesOrNull, filesUnder, foldersUnder, tempDir } from './mount-files.js';

/** The input's output folder, relative to the outbox: `{relDir}/{name}` (`b/c/in3.txt` → `b/c/in3`). */
export function folderOf(input: Input): string {
  return input.rel.replace(/\.[^./]*$/, '');
}

/** What the input's complete folder holds, by path relative to the outbox: its parts in order, then its (empty) marker. */
export function expectedFiles(input: Input): Map<string, Buffer> {
  const dir = folderOf(input);
  const files = new Map<string, Buffer>();
  for (let i = 0, at = 0; at < input.content.length; i++, at += partBytes) {
    const name = `part-${suffix(i)}`;
    files.set(i === 0 ? `${dir}/${name}` : `${dir}/${restDir}/${name}`, input.content.subarray(at, at + partBytes));
  }
  files.set(`${dir}/${markerName}`, Buffer.alloc(0));
  return files;
}

/** split's suffix of the `i`th chunk with `-a 3`: aaa, aab, …, aaz, aba, … */
function suffix(i: number): string {
  const letter = (n: number) => String.fromCharCode(97 + (n % 26));
  return letter(Math.floor(i / 676)) + letter(Math.floor(i / 26)) + letter(i);
}

/** Why a disposed-of input does not have its output for sure (its folder lacks the marker), or null. */
export function markerProblem(l: Layout, input: Input): string | null {
  const marker = `${folderOf(input)}/${markerName}`;
  return bytesOrNull(path.join(l.outbox, marker)) === null ? `no outbox/${marker} (its output folder is not complete)` : null;
}

/**
 * The whole outbox of a folder-output case. After a cut (`converged` false): every folder holding its marker is
 * exactly complete, every known part anywhere is whole, no file lies outside the inputs' folders but temp files; a
 * folder without its marker may hold anything else (a replacement under way). After the run to completion (`converged`
 * true): every input's folder is exactly complete, marker included, and nothing else is in the outbox — no file or
 * folder outside the inputs' folders, nothing left in `.sluice-tmp`.
 */
export function folderProblems(l: Layout, corpus: Corpus, converged: boolean): string[] {
  const v: string[] = [];
  const byFolder = new Map([...corpus.inputs.values()].map((input) => [folderOf(input), input]));
  const wanted = new Map<string, Buffer>();
  for (const input of byFolder.values()) for (const [rel, data] of expectedFiles(input)) wanted.set(rel, data);
  const files = filesUnder(l.outbox);
  const marked = new Set(files.filter((rel) => wanted.has(rel) && path.posix.basename(rel) === markerName)
    .map((rel) => path.posix.dirname(rel)));
  const complete = (folder: string | null) => folder !== null && (converged || marked.has(folder));
  const under = converged ? 'in its folder' : `in a folder with its ${markerName}`;
  for (const rel of files) {
    if (rel.startsWith(`${tempDir}/`)) {
      if (converged) v.push(`leftover temp file outbox/${rel}`);
      continue;
    }
    const want = wanted.get(rel);
    const folder = ownerOf(rel, byFolder);
    if (want !== undefined) v.push(...partProblem(l, rel, want));
    else if (folder === null) v.push(`unexpected file outbox/${rel}`);
    else if (complete(folder)) v.push(`unexpected file outbox/${rel} ${under}`);
  }
  const present = new Set(files);
  for (const [folder, input] of byFolder) {
    if (!complete(folder)) continue;
    const missing = [...expectedFiles(input).keys()].filter((rel) => !present.has(rel));
    if (missing.length > 0) {
      v.push(`outbox/${folder}/ ${converged ? 'is not complete: it' : `has its ${markerName} but`} lacks ${missing.length} ` +
        `of its ${expectedFiles(input).size} files: ${missing.slice(0, 5).join(', ')}`);
    }
  }
  if (converged) v.push(...strayFolders(l, wanted));
  return v;
}

/** A known file that is not its bytes: a partial (or wrong) part, or a marker with content. */
function partProblem(l: Layout, rel: string, want: Buffer): string[] {
  const data = bytesOrNull(path.join(l.outbox, rel));
  if (data === null || data.equals(want)) return [];
  const what = path.posix.basename(rel) === markerName ? 'a marker with content' : 'a partial or wrong part';
  return [`outbox/${rel} is ${what}: ${data.length} bytes, want ${want.length}${data.length === want.length ? ' (other bytes)' : ''}`];
}

/** The input folder `rel` lies in (the nearest ancestor that is one), or null. */
function ownerOf(rel: string, byFolder: ReadonlyMap<string, Input>): string | null {
  for (let dir = path.posix.dirname(rel); dir !== '.'; dir = path.posix.dirname(dir)) if (byFolder.has(dir)) return dir;
  return null;
}

/** Folders in the outbox that hold no expected file (empty ones left behind), and anything left in `.sluice-tmp`. */
function strayFolders(l: Layout, wanted: ReadonlyMap<string, Buffer>): string[] {
  const needed = new Set<string>();
  for (const rel of wanted.keys()) {
    for (let dir = path.posix.dirname(rel); dir !== '.'; dir = path.posix.dirname(dir)) needed.add(dir);
  }
  const v: string[] = [];
  for (const dir of foldersUnder(l.outbox)) {
    if (dir === tempDir || needed.has(dir)) continue;
    if (!dir.startsWith(`${tempDir}/`)) v.push(`unexpected folder outbox/${dir}`);
    else if (!dir.slice(tempDir.length + 1).includes('/')) v.push(`leftover temp folder outbox/${dir}`);
  }
  return v;
}
