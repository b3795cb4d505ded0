import fs from 'node:fs';
import path from 'node:path';
import { crashPoint } from '../core/fault.js';
import { fsyncDirSync, fsyncFileSync, mkdirDurableSync } from '../fs/durable.js';
import { sameFingerprint } from '../state/store.js';
import { fingerprintOf } from '../watch/settle.js';
import type { BatchItem, BatchReply, BatchResult, DisposeBatchRequest, ItemError, PublishBatchRequest, WriteBatchRequest } from './small-batch.js';
import { readKnownSize, replyError, transformBuffer, writeAll } from './small-file-io.js';

// Worker-thread side of the batched small-file path (see small-batch.ts for the contract of each request).

/** Folders this thread has made (or found) already; forgotten all at once when full. */
const made = new Set<string>();
const madeLimit = 4096;

export function writeBatch(req: WriteBatchRequest): BatchReply {
  const results = req.items.map((item): BatchResult => {
    const started = performance.now();
    try {
      let data = readKnownSize(item.input, item.fingerprint.size, req.maxBytes);
      for (const step of req.steps) data = data && transformBuffer(step.op, data, step.level, req.maxBytes);
      if (data === null) return { ok: false, tooBig: true };
      writeAll(item.temp, data, req.sync);
      return { ok: true, ms: performance.now() - started };
    } catch (err) {
      return failed(item.temp, replyError(err));
    }
  });
  for (const r of results) if (r.ok) crashPoint('after-temp-write');
  return { results };
}

export function publishBatch(req: PublishBatchRequest): BatchReply {
  for (const _ of req.items) crashPoint('after-fsync');
  const results = req.items.map((item): BatchResult => {
    const started = performance.now();
    try {
      recheck(item.input, item.fingerprint);
      renameInto(item.temp, item.final);
      return { ok: true, ms: performance.now() - started };
    } catch (err) {
      return failed(item.temp, replyError(err));
    }
  });
  const renamed = req.items.filter((_, n) => results[n]!.ok).map((item) => path.dirname(item.final));
  const flushError = req.sync ? fsyncDirs(renamed) : null;
  return { results: flushError ? results.map((r) => (r.ok ? { ok: false, error: flushError } : r)) : results };
}

export function disposeBatch(req: DisposeBatchRequest): BatchReply {
  const folders: string[] = [];
  const results = req.moves.map((move): BatchResult => {
    const started = performance.now();
    try {
      if (move.to === null) unlinkIfThere(move.from);
      else moveSync(move.from, move.to);
      folders.push(path.dirname(move.from));
      if (move.to !== null) folders.push(path.dirname(move.to));
      return { ok: true, ms: performance.now() - started };
    } catch (err) {
      return { ok: false, error: replyError(err) };
    }
  });
  const flushError = req.sync ? fsyncDirs(folders) : null;
  return { results: flushError ? results.map(() => ({ ok: false, error: flushError })) : results };
}

/** Throws INPUT_CHANGED or INPUT_VANISHED when the input is no longer the admitted version. */
function recheck(input: string, fingerprint: BatchItem['fingerprint']): void {
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

/** fsyncs every folder in `folders` once; the error when that failed. */
function fsyncDirs(folders: readonly string[]): ItemError | null {
  try {
    for (const dir of new Set(folders)) fsyncDirSync(dir);
    return null;
  } catch (err) {
    return replyError(err);
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

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
