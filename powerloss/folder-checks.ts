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
 * The whole outbox of a folder-output case. After a cut (`converged` false): every folder holding its marker holds
 * exactly the files of one version of its input (Corpus.versionsOf: the latest, or an earlier one whose replacement
 * was not committed yet), each whole, and nothing else — no part of another version mixed in; every known part
 * anywhere is whole (some version's part at its path); no file lies outside the inputs' folders but temp files; a
 * folder without its marker may hold anything else (a replacement under way). After the run to completion (`converged` true): every
 * input's folder is exactly its latest version's files, marker included, and nothing else is in the outbox — no file
 * or folder outside them (no `rest/` left empty), nothing left in `.sluice-tmp`.
 */
export function folderProblems(l: Layout, corpus: Corpus, converged: boolean): string[] {
  const v: string[] = [];
  const byFolder = new Map([...corpus.inputs.values()].map((input) => [folderOf(input), input]));
  const held = new Map<string, Map<string, Buffer>>();
  for (const rel of filesUnder(l.outbox)) {
    if (rel.startsWith(`${tempDir}/`)) {
      if (converged) v.push(`leftover temp file outbox/${rel}`);
      continue;
    }
    const folder = ownerOf(rel, byFolder);
    if (folder === null) v.push(`unexpected file outbox/${rel}`);
    else held.set(folder, (held.get(folder) ?? new Map()).set(rel, bytesOrNull(path.join(l.outbox, rel))!));
  }
  for (const [folder, input] of byFolder) {
    v.push(...folderProblem(folder, held.get(folder) ?? new Map(), corpus.versionsOf(input.rel), converged));
  }
  if (converged) v.push(...strayFolders(l, new Set([...byFolder.values()].flatMap((input) => [...expectedFiles(input).keys()]))));
  return v;
}

/**
 * One input's folder holding `files` (outbox-relative path → bytes), given every version its input had: exactly the
 * latest one's files (`converged`), else exactly one version's, or — unmarked after a cut — only whole parts.
 */
function folderProblem(folder: string, files: ReadonlyMap<string, Buffer>, versions: readonly Input[], converged: boolean): string[] {
  const marked = files.has(`${folder}/${markerName}`);
  const all = versions.map(expectedFiles);
  if (!converged && !marked) return [...files].flatMap(([rel, data]) => partProblem(rel, data, all));
  const acceptable = converged ? versions.slice(-1) : versions;
  const diffs = acceptable.map(({ version }) => ({ version, want: all[version - 1]!, ...diffOf(files, all[version - 1]!, all) }));
  if (diffs.some((d) => d.count === 0)) return [];
  const best = diffs.reduce((a, b) => (b.count <= a.count ? b : a));
  const what = converged ? `is not its latest version, ${best.version}` :
    `has its ${markerName} but is none of its ${versions.length} version(s); against the closest, version ${best.version}`;
  const list = (rels: readonly string[]) => `${rels.slice(0, 5).join(', ')}${rels.length > 5 ? ', …' : ''}`;
  const details = [
    best.missing.length > 0 ? `it lacks ${best.missing.length} of its ${best.want.size} files (${list(best.missing)})` : '',
    best.extra.length > 0 ? `it has ${best.extra.length} other file(s) (${list(best.extra)})` : '',
    ...best.wrong.slice(0, 5),
  ];
  return [`outbox/${folder}/ ${what}: ${details.filter((d) => d !== '').join('; ')}`];
}

/** How `files` differ from `want` (one of `all`, every version's files): paths missing, paths extra, files with other bytes. */
function diffOf(files: ReadonlyMap<string, Buffer>, want: ReadonlyMap<string, Buffer>, all: readonly Map<string, Buffer>[]) {
  const missing = [...want.keys()].filter((rel) => !files.has(rel));
  const extra = [...files.keys()].filter((rel) => !want.has(rel));
  const wrong = [...files].filter(([rel, data]) => want.has(rel) && !data.equals(want.get(rel)!))
    .map(([rel, data]) => describeWrong(rel, data, want.get(rel)!, all));
  return { missing, extra, wrong, count: missing.length + extra.length + wrong.length };
}

/** A file that some version has at its path but no version with these bytes: a partial (or wrong) part, or a marker with content. */
function partProblem(rel: string, data: Buffer, versions: readonly Map<string, Buffer>[]): string[] {
  const wants = versions.map((files) => files.get(rel)).filter((want): want is Buffer => want !== undefined);
  if (wants.length === 0 || wants.some((want) => data.equals(want))) return [];
  return [describeWrong(rel, data, wants.at(-1)!, versions)];
}

/** A file that is not `want`: another version's part (by `all`, every version's files), a partial part, a marker with content. */
function describeWrong(rel: string, data: Buffer, want: Buffer, all: readonly Map<string, Buffer>[]): string {
  const other = all.findIndex((files) => files.get(rel)?.equals(data));
  if (other >= 0) return `outbox/${rel} is version ${other + 1}'s (${data.length} bytes, want ${want.length})`;
  const what = path.posix.basename(rel) === markerName ? 'a marker with content' : 'a partial or wrong part';
  return `outbox/${rel} is ${what}: ${data.length} bytes, want ${want.length}${data.length === want.length ? ' (other bytes)' : ''}`;
}

/** The input folder `rel` lies in (the nearest ancestor that is one), or null. */
function ownerOf(rel: string, byFolder: ReadonlyMap<string, Input>): string | null {
  for (let dir = path.posix.dirname(rel); dir !== '.'; dir = path.posix.dirname(dir)) if (byFolder.has(dir)) return dir;
  return null;
}

/** Folders in the outbox that hold no expected file (empty ones left behind), and anything left in `.sluice-tmp`. */
function strayFolders(l: Layout, wanted: ReadonlySet<string>): string[] {
  const needed = new Set<string>();
  for (const rel of wanted) {
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
