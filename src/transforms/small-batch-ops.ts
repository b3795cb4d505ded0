import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { crashPoint } from '../core/fault.js';
import { fsyncDirSync, mkdirDurableSync } from '../fs/durable.js';
import type { FlushMethod } from '../fs/flush-method.js';
import { sameFingerprint } from '../state/store.js';
import { fingerprintOf } from '../watch/settle.js';
import type { BatchReply, BatchResult, CommitBatchRequest, DisposeBatchRequest, ItemError } from './small-batch.js';
import { readKnownSize, replyError, transformBuffer, writeAll } from './small-file-io.js';

// Worker-thread side of the batched small-file path (see small-batch.ts for the contract of each request).

/** Folders this thread has made (or found) already; forgotten all at once when full. */
const made = new Set<string>();
const madeLimit = 4096;

export function commitBatch(req: CommitBatchRequest): BatchReply {
  const results: BatchResult[] = [];
  const written: number[] = [];
  req.items.forEach((item, n) => {
    const started = performance.now();
    try {
      let data = readKnownSize(item.input, item.fingerprint.size, req.maxBytes);
      for (const step of req.steps) data = data && transformBuffer(step.op, data, step.level, req.maxBytes);
      if (data === null) results.push({ ok: false, tooBig: true });
      else {
        writeAll(item.temp, data, req.flush === 'fsync');
        results.push({ ok: true, ms: performance.now() - started });
        written.push(n);
      }
    } catch (err) {
      results.push(failed(item.temp, replyError(err)));
    }
  });
  for (const _ of written) crashPoint('after-temp-write');
  const tempDir = req.items[0] && path.dirname(req.items[0].temp);
  if (req.flush === 'syncfs' && written.length > 0 && !syncfs(tempDir!)) {
    for (const n of written) guard(results, n, req.items[n]!.temp, () => fsyncFileSync(req.items[n]!.temp));
  }
  for (const _ of written) crashPoint('after-fsync');
  const renamed: number[] = [];
  for (const n of written) {
    const item = req.items[n]!;
    if (!results[n]!.ok) continue;
    guard(results, n, item.temp, () => {
      recheck(item.input, item.fingerprint);
      renameInto(item.temp, item.final);
      renamed.push(n);
    });
  }
  const flushError = flushDirs(renamed.map((n) => path.dirname(req.items[n]!.final)), req.flush);
  if (flushError) for (const n of renamed) results[n] = { ok: false, error: flushError };
  return { results };
}

export function disposeBatch(req: DisposeBatchRequest): BatchReply {
  const results: BatchResult[] = [];
  const folders: string[] = [];
  for (const move of req.moves) {
    const started = performance.now();
    try {
      if (move.to === null) unlinkIfThere(move.from);
      else moveSync(move.from, move.to);
      folders.push(path.dirname(move.from));
      if (move.to !== null) folders.push(path.dirname(move.to));
      results.push({ ok: true, ms: performance.now() - started });
    } catch (err) {
      results.push({ ok: false, error: replyError(err) });
    }
  }
  const flushError = flushDirs(folders, req.flush);
  return { results: flushError ? results.map(() => ({ ok: false, error: flushError })) : results };
}

/** Throws INPUT_CHANGED or INPUT_VANISHED when the input is no longer the admitted version. */
function recheck(input: string, fingerprint: CommitBatchRequest['items'][number]['fingerprint']): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(input);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw coded('INPUT_VANISHED', 'the input vanished while it was processed');
    throw err;
  }
  if (!stat.isFile() || !sameFingerprint(fingerprintOf(stat), fingerprint)) {
    throw coded('INPUT_CHANGED', 'the input changed while it was processed');
  }
}

/** rename, or across file systems a durable copy then unlink; an input already gone was moved by an earlier run. */
function moveSync(from: string, to: string): void {
  ensureDir(path.dirname(to));
  try {
    fs.renameSync(from, to);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EXDEV') throw err;
  }
  const temp = path.join(path.dirname(to), `.${path.basename(to)}.sluice-move`);
  try {
    fs.copyFileSync(from, temp);
    fsyncFileSync(temp);
    fs.renameSync(temp, to);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fsyncDirSync(path.dirname(to));
  fs.unlinkSync(from);
}

/** Makes the entries of `folders` durable; the error when that failed. */
function flushDirs(folders: readonly string[], method: FlushMethod): ItemError | null {
  const unique = [...new Set(folders)];
  if (method === 'none' || unique.length === 0) return null;
  try {
    if (method === 'syncfs' && onePerDevice(unique).every((d) => syncfs(d))) return null;
    for (const dir of unique) fsyncDirSync(dir);
    return null;
  } catch (err) {
    return replyError(err);
  }
}

/** One folder per file system among `folders`: a syncfs of it covers all of them. */
function onePerDevice(folders: readonly string[]): string[] {
  const byDev = new Map<number, string>();
  for (const dir of folders) {
    const { dev } = fs.statSync(dir);
    if (!byDev.has(dev)) byDev.set(dev, dir);
  }
  return [...byDev.values()];
}

function guard(results: BatchResult[], n: number, temp: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    results[n] = failed(temp, replyError(err));
  }
}

function failed(temp: string, error: ItemError): BatchResult {
  fs.rmSync(temp, { force: true });
  return { ok: false, error };
}

/** rename(2) into a folder made on demand; a folder removed since it was made is made again, once. */
function renameInto(from: string, to: string): void {
  const dir = path.dirname(to);
  ensureDir(dir);
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    made.delete(dir);
    ensureDir(dir);
    fs.renameSync(from, to);
  }
}

function ensureDir(dir: string): void {
  if (made.has(dir)) return;
  mkdirDurableSync(dir);
  if (made.size >= madeLimit) made.clear();
  made.add(dir);
}

function unlinkIfThere(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function fsyncFileSync(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** syncfs(2) of the file system holding `dir`, through coreutils; false when it could not be run. */
function syncfs(dir: string): boolean {
  try {
    execFileSync('sync', ['--file-system', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
