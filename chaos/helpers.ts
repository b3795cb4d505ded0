/**
 * Helpers of the slow chaos suite (npm run test:chaos): reproducible file contents, peak-RSS measurement of a sluice
 * process, and a check that a sandbox holds exactly the files it should.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { vmHwmKb } from '../test/helpers/measure.js';
import type { Sandbox } from '../test/helpers/process.js';

/** 1 MiB of half random, half repetitive bytes: gzip has real work to do and real savings to make. */
export const pool: Buffer = (() => {
  const buf = randomBytes(1 << 20);
  const text = Buffer.from('sluice moves files from a hot folder to an output folder, atomically. ');
  for (let at = 0; at < buf.length; at += 8192) text.copy(buf, at, 0, Math.min(text.length, buf.length - at));
  for (let at = 4096; at < buf.length; at += 8192) buf.fill(text, at, Math.min(at + 4096, buf.length));
  return buf;
})();

/** The content of input number `i`, `size` bytes (at least its header): unique per `i`. */
export function content(i: number, size: number): Buffer {
  const header = Buffer.from(`input ${i}\n`);
  const body = Math.max(0, size - header.length);
  const offset = (i * 7919) % (pool.length - body + 1);
  return Buffer.concat([header, pool.subarray(offset, offset + body)]);
}

/** Mixed sizes up to 512 KiB: many small files, some medium, a few large. */
export function mixedSize(i: number): number {
  const r = (i * 2654435761) % 1000;
  if (r < 450) return 1 + (r * 37) % 4096;
  if (r < 850) return 4096 + (r * 1543) % (64 * 1024);
  return 64 * 1024 + ((r * 104729) % (448 * 1024));
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Polls VmHWM of `pid` until stopped; `peakKb` is the largest value seen. */
export class RssMonitor {
  peakKb = 0;
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;

  constructor(pid: number, intervalMs = 100) {
    this.#pid = pid;
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): number {
    const kb = vmHwmKb(this.#pid);
    if (kb !== null && kb > this.peakKb) this.peakKb = kb;
    return this.peakKb;
  }

  stop(): number {
    clearInterval(this.#timer);
    return this.sample();
  }
}

const hookFile = fileURLToPath(new URL('./rss-hook.js', import.meta.url));

/**
 * The environment that makes a sluice process write its exact peak RSS (getrusage maxrss, KiB) to `file` when it
 * exits normally: a preloaded hook (rss-hook.ts), so it covers the whole life of the process, to its last byte.
 */
export function rssHookEnv(file: string): Record<string, string> {
  return { NODE_OPTIONS: `--import=${pathToFileURL(hookFile).href}`, SLUICE_TEST_RSS_FILE: file };
}

export function hookPeakKb(file: string): number {
  return Number(fs.readFileSync(file, 'utf8'));
}

export const mb = (kb: number): number => Math.round(kb / 1024);

/**
 * Asserts the sandbox holds exactly `expected` (relative paths) besides the config files and the state directory: no
 * temp file, no partial output, no duplicate, nothing left over anywhere.
 */
export function assertExactly(box: Sandbox, expected: Iterable<string>, ignore: RegExp = /^(sluice\.json|\.sluice\/|.*\.rss$)/): void {
  const want = new Set(expected);
  const have = box.files().filter((f) => !ignore.test(f));
  const unexpected = have.filter((f) => !want.has(f));
  const missing = [...want].filter((f) => !have.includes(f));
  assert.deepEqual(unexpected.slice(0, 20), [], `${unexpected.length} unexpected file(s)`);
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} missing file(s)`);
}
