import fs from 'node:fs';
import path from 'node:path';
import { mb, newCase, round, type CaseResult } from '../lib/report.js';
import { Service, sluiceBin, sluiceConfig, until } from '../lib/run.js';

const filler = 'x'.repeat(1000);
const content = (i: number) => `file ${i}\n${filler}`;

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
  const sluice = new Service([process.execPath, sluiceBin, 'watch', '-c', config, '--log-level', 'info'], {});
  if (!(await until(() => /watching /.test(sluice.stderrTail), 30_000))) c.errors.push(`sluice did not start: ${sluice.stderrTail}`);
  const started = performance.now();
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(inbox, `f${String(i).padStart(6, '0')}.txt`), content(i));
  const written = performance.now() - started;
  const count = () => {
    try {
      return fs.readdirSync(out).filter((n) => !n.startsWith('.')).length;
    } catch {
      return 0;
    }
  };
  const done = await until(() => count() >= files, Math.max(120_000, files * 10), 250);
  const elapsed = performance.now() - started;
  const peak = await sluice.stop();
  const left = fs.readdirSync(inbox).length;
  let wrong = 0;
  for (let i = 0; i < files; i++) {
    const f = path.join(out, `f${String(i).padStart(6, '0')}.txt`);
    if (!fs.existsSync(f) || fs.readFileSync(f, 'utf8') !== content(i)) wrong += 1;
  }
  if (!done || wrong > 0) c.errors.push(`${wrong} of ${files} outputs wrong or missing after ${round(elapsed / 1000)} s`);
  if (left > 0) c.errors.push(`${left} input(s) left in the inbox (onSuccess delete)`);
  c.rows.push({
    tool: 'sluice watch', ratio: null,
    figures: { 'write s': round(written / 1000, 1), 'all done s': round(elapsed / 1000, 1), 'files/s': round(files / (elapsed / 1000)), 'peak RSS MB': mb(peak) },
  });
  c.skipped.push('no peer: the issue names none for the flood');
  c.targets.push({ name: 'all processed', met: done && wrong === 0 && left === 0, detail: `${files - wrong} of ${files}` });
  const rss = mb(peak);
  c.targets.push({ name: 'peak RSS < 150 MB', met: rss === null ? null : rss < 150, detail: `${rss} MB` });
  return c;
}
