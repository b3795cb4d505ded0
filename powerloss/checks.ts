/**
 * The durability contract, checked to the byte against what is on the mount. Each check returns violations: one line
 * each, naming the file and what is wrong (an empty list is a pass).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Corpus, Input } from './corpus.js';
import { folderProblems, markerProblem } from './folder-checks.js';
import type { Layout, Mode } from './layout.js';
import { bytesOrNull as readOrNull, filesUnder, tempDir } from './mount-files.js';

export const appendName = 'all.log';
/** What sluice keeps in its state directory: the SQLite store and its companions, the instance lock and its note. */
const stateFiles = /^(state\.db|instance\.lock)(-wal|-shm|-journal)?$|^instance\.json$|^control\.sock$/;

/**
 * Right after a cut (and restart), before sluice runs again: every durable input is somewhere, byte-identical; a
 * deleted one already has its output (a folder output's input, an archived one too: disposal comes after the marker);
 * nothing the test does not know is in the inbox; a folder output's outbox holds no partial part and no partial folder
 * under a marker (see folderProblems).
 */
export function checkAfterCut(l: Layout, mode: Mode, corpus: Corpus): string[] {
  const v: string[] = [];
  const log = mode.output === 'append' ? readOrNull(path.join(l.outbox, appendName)) : null;
  for (const input of corpus.inputs.values()) {
    const inInbox = compare(v, path.join(l.inbox, input.rel), input, 'inbox');
    const inArchive = mode.onSuccess === 'moveTo' && compare(v, path.join(l.archive, input.rel), input, 'archive');
    if (inInbox || (inArchive && mode.output !== 'folder')) continue;
    if (!inArchive && mode.onSuccess !== 'delete') {
      v.push(`input ${input.rel} lost: in neither the inbox nor ${mode.onSuccess === 'moveTo' ? 'the archive' : 'anywhere'}`);
    } else if (mode.output === 'append') {
      if (!log?.includes(input.content)) v.push(`input ${input.rel} deleted, but its block is not in ${appendName}`);
    } else {
      const problem = mode.output === 'folder' ? markerProblem(l, input) : outputProblem(l, mode, input);
      if (problem) v.push(`input ${input.rel} ${inArchive ? 'archived' : 'deleted'}, but ${problem}`);
    }
  }
  for (const rel of filesUnder(l.inbox)) {
    if (!corpus.inputs.has(rel)) v.push(`unexpected file inbox/${rel}`);
  }
  if (mode.output === 'folder') v.push(...folderProblems(l, corpus, false));
  return v;
}

/** After sluice has run to completion: the whole mount holds exactly what the mode says, to the byte. */
export function checkConverged(l: Layout, mode: Mode, corpus: Corpus): string[] {
  const v: string[] = [];
  for (const input of corpus.inputs.values()) {
    const inInbox = compare(v, path.join(l.inbox, input.rel), input, 'inbox');
    const inArchive = mode.onSuccess === 'moveTo' && compare(v, path.join(l.archive, input.rel), input, 'archive');
    if (mode.onSuccess === 'keep' && !inInbox) v.push(`input ${input.rel} lost: not in the inbox (keep)`);
    if (mode.onSuccess !== 'keep' && inInbox) v.push(`input inbox/${input.rel} still there after the run (${mode.onSuccess})`);
    if (mode.onSuccess === 'moveTo' && !inInbox && !inArchive) v.push(`input ${input.rel} lost: in neither the inbox nor the archive`);
    if (mode.output === 'gzip' || mode.output === 'copy') {
      const problem = outputProblem(l, mode, input);
      if (problem) v.push(problem);
    }
  }
  if (mode.output === 'append') v.push(...appendProblems(readOrNull(path.join(l.outbox, appendName)), corpus));
  if (mode.output === 'folder') v.push(...folderProblems(l, corpus, true));
  v.push(...unexpected(l, mode, corpus));
  return v;
}

/** Why an input's replace output is not exactly right, or null. */
function outputProblem(l: Layout, mode: Mode, input: Input): string | null {
  const rel = mode.output === 'gzip' ? `${input.rel}.gz` : input.rel;
  const data = readOrNull(path.join(l.outbox, rel));
  if (data === null) return `no output outbox/${rel}`;
  let plain: Buffer;
  try {
    plain = mode.output === 'gzip' ? gunzipSync(data) : data;
  } catch (err) {
    return `outbox/${rel} does not gunzip (${(err as Error).message}; ${data.length} bytes): a partial output`;
  }
  return plain.equals(input.content) ? null : `outbox/${rel} is not its input (${plain.length} bytes, want ${input.content.length})`;
}

/**
 * Parses an append output back into blocks: each input's block exactly once, whole, and nothing else (a block is the
 * input's lines 0..L-1 in order).
 */
export function appendProblems(log: Buffer | null, corpus: Corpus): string[] {
  if (log === null) return corpus.size === 0 ? [] : [`no output outbox/${appendName}`];
  const v: string[] = [];
  const text = log.toString('utf8');
  const seen = new Map<number, number>();
  let block: { input: Input; next: number; at: number } | null = null;
  const close = () => {
    if (block && block.next !== block.input.lines) {
      v.push(`${appendName}: partial block of ${block.input.rel} at byte ${block.at} (${block.next} of ${block.input.lines} lines)`);
    }
    block = null;
  };
  let at = 0;
  for (const line of text.split('\n').slice(0, -1)) {
    const m = /^input (\d+) line (\d+)$/.exec(line);
    const input = m ? corpus.byId.get(Number(m[1])) : undefined;
    const k = m ? Number(m[2]) : -1;
    if (!input) {
      close();
      v.push(`${appendName}: unexpected bytes at byte ${at}: ${JSON.stringify(line.slice(0, 60))}`);
    } else if (block !== null && block.input === input && k === block.next) {
      block.next += 1;
    } else {
      close();
      if (k !== 0) v.push(`${appendName}: block of ${input.rel} starts at line ${k}, at byte ${at}`);
      seen.set(input.id, (seen.get(input.id) ?? 0) + 1);
      block = { input, next: k + 1, at };
    }
    at += Buffer.byteLength(line) + 1;
  }
  close();
  if (at < log.length) v.push(`${appendName}: ${log.length - at} bytes after the last newline (a torn block)`);
  for (const input of corpus.inputs.values()) {
    const n = seen.get(input.id) ?? 0;
    if (n !== 1) v.push(`${appendName}: the block of ${input.rel} appears ${n} times`);
  }
  return v;
}

/** Files on the mount that the mode does not account for (a folder output's outbox: see folderProblems). */
function unexpected(l: Layout, mode: Mode, corpus: Corpus): string[] {
  const v: string[] = [];
  const expectOut = new Set<string>();
  for (const input of corpus.inputs.values()) {
    if (mode.output === 'gzip') expectOut.add(`${input.rel}.gz`);
    else if (mode.output === 'copy') expectOut.add(input.rel);
  }
  if (mode.output === 'append' && corpus.size > 0) expectOut.add(appendName);
  for (const rel of mode.output === 'folder' ? [] : filesUnder(l.outbox)) {
    if (rel.startsWith(`${tempDir}/`)) v.push(`leftover temp file outbox/${rel}`);
    else if (!expectOut.has(rel)) v.push(`unexpected file outbox/${rel}`);
  }
  for (const rel of filesUnder(l.inbox)) if (!corpus.inputs.has(rel)) v.push(`unexpected file inbox/${rel}`);
  for (const rel of filesUnder(l.archive)) {
    if (mode.onSuccess !== 'moveTo' || !corpus.inputs.has(rel)) v.push(`unexpected file archive/${rel}`);
  }
  for (const rel of filesUnder(l.state)) if (!stateFiles.test(rel)) v.push(`unexpected file in the state folder: ${rel}`);
  const known = new Set([l.inbox, l.outbox, l.archive, l.state].map((d) => path.basename(d)));
  for (const name of fs.readdirSync(l.mount)) if (!known.has(name)) v.push(`unexpected entry ${name} at the top of the mount`);
  return v;
}

/** Whether `file` exists; a copy that is not byte-identical to the input is a violation. */
function compare(v: string[], file: string, input: Input, where: string): boolean {
  const data = readOrNull(file);
  if (data === null) return false;
  if (!data.equals(input.content)) v.push(`${where}/${input.rel} is not the input: ${data.length} bytes, want ${input.content.length}`);
  return true;
}
