import fs from 'node:fs';
import path from 'node:path';
import { mb, newCase, round, type CaseResult } from '../lib/report.js';
import { Service, sluiceBin, sluiceConfig, until } from '../lib/run.js';

const filler = 'x'.repeat(1000);
/** The issue's targets for the flood. */
const FILES_PER_S = 5_000;
const PEAK_RSS_MB = 150;
/** The issue's flood size: below it, the settle time (default 1 s) weighs on files/s. */
const ISSUE_FILES = 100_000;
const content = (i: number) => `file ${i}\n${filler}`;

const name = (i: number) => `f${String(i).padStart(6, '0')}.txt`;

/** Case 4: a flood of small files dropped into a running daemon's inbox (onSuccess delete, default settleMs). */
export async function flood(work: string, files: number): Promise<CaseResult> {
  const c = newCase('flood', `Flood: ${files} files of 1 KiB dropped into a running daemon (copy, concurrency 8, onSuccess delete)`, { files });
  const inbox = path.join(work, 'in');
  const out = path.join(work, 'out');
  fs.mkdirSync(inbox, { recursive: true });
  const config = sluiceConfig(work, 'flood', {
    stateDir: path.join(work, 'state'), log: { level: 'warn' },
    pipelines: [{ name: 'flood', input: { dir: inbox }, output: { dir: out }, onSuccess: 'delete', stages: [{ use: 'copy', concurrency: 8 }] }],
  });
  const sluice = new Service([sluiceBin, 'watch', '-c', config, '--log-level', 'info'], {});
  if (!(await until(() => /watching /.test(sluice.stderrTail), 30_000))) c.errors.push(`sluice did not start: ${sluice.stderrTail}`);
  // Wall clock too: the last output's time is the output folder's mtime (set by the last rename into it).
  const firstWrite = Date.now();
  const started = performance.now();
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(inbox, name(i)), content(i));
  const written = performance.now() - started;
  const done = await until(() => outputCount(out) >= files, Math.max(120_000, files * 10), 250);
  const elapsed = performance.now() - started;
  // Polling ('all done') sees the last output up to one interval (and one listing of the folder) late; the mtime does not.
  const lastOutput = done ? fs.statSync(out).mtimeMs - firstWrite : NaN;
  const toLast = lastOutput > 0 && lastOutput <= elapsed ? lastOutput : elapsed;
  const peak = await sluice.stop();
  const left = fs.readdirSync(inbox).length;
  const wrong = wrongOutputs(out, files);
  if (!done || wrong > 0) c.errors.push(`${wrong} of ${files} outputs wrong or missing after ${round(elapsed / 1000)} s`);
  if (left > 0) c.errors.push(`${left} input(s) left in the inbox (onSuccess delete)`);
  c.rows.push({
    tool: 'sluice watch', ratio: null,
    figures: {
      'write s': round(written / 1000, 1), 'all done s': round(elapsed / 1000, 1), 'last output s': round(toLast / 1000, 1),
      'files/s': round(files / (toLast / 1000)), 'peak RSS MB': mb(peak),
    },
    note: 'files/s = files / (first write -> last output committed); the last output\'s time is the output folder\'s mtime',
  });
  c.skipped.push('no peer: the issue names none for the flood');
  targets(c, { files, processed: done && wrong === 0 && left === 0, wrong, toLast, written, peak });
  return c;
}

function outputCount(out: string): number {
  try {
    return fs.readdirSync(out).filter((n) => !n.startsWith('.')).length;
  } catch {
    return 0;
  }
}

function wrongOutputs(out: string, files: number): number {
  let wrong = 0;
  for (let i = 0; i < files; i++) {
    const f = path.join(out, name(i));
    if (!fs.existsSync(f) || fs.readFileSync(f, 'utf8') !== content(i)) wrong += 1;
  }
  return wrong;
}

interface Outcome {
  readonly files: number;
  readonly processed: boolean;
  readonly wrong: number;
  /** ms from the first write to the last output. */
  readonly toLast: number;
  /** ms spent writing the inputs. */
  readonly written: number;
  readonly peak: number | null;
}

function targets(c: CaseResult, o: Outcome): void {
  const rate = round(o.files / (o.toLast / 1000));
  c.targets.push({ name: 'all processed', met: o.processed, detail: `${o.files - o.wrong} of ${o.files}` });
  c.targets.push({
    name: `>= ${FILES_PER_S} files/s (first write -> last output)`, met: o.processed && rate !== null && rate >= FILES_PER_S,
    detail: `${rate} files/s: ${o.files} files in ${round(o.toLast / 1000, 1)} s (written in ${round(o.written / 1000, 1)} s)` +
      (o.files < ISSUE_FILES ? `; at ${o.files} files the 1 s settle weighs heavily: judge on the full size` : ''),
  });
  const rss = mb(o.peak);
  c.targets.push({ name: `peak RSS < ${PEAK_RSS_MB} MB`, met: rss === null ? null : rss < PEAK_RSS_MB, detail: `${rss} MB` });
}
