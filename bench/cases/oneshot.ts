import { createReadStream } from 'node:fs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { makeBigFile } from '../lib/corpus.js';
import { mb, newCase, round, type CaseResult } from '../lib/report.js';
import { timed } from '../lib/run.js';
import { sluiceRun } from '../lib/sluice-run.js';

async function sha(file: string, gunzip = false): Promise<string> {
  const hash = crypto.createHash('sha1');
  await pipeline(gunzip ? [createReadStream(file), zlib.createGunzip(), hash] : [createReadStream(file), hash]);
  return hash.digest('hex');
}

/** Case 2: one large file through gzip (default config): throughput against gzip -c, and peak RSS. */
export async function oneshotLarge(work: string, bytes: number): Promise<CaseResult> {
  const c = newCase('oneshot-large', `One-shot: one ${round(bytes / 2 ** 20)} MiB file through gzip -6`, { bytes });
  const src = path.join(work, 'src');
  fs.mkdirSync(src, { recursive: true });
  const big = path.join(src, 'big.txt');
  makeBigFile(big, bytes);
  const mib = bytes / 2 ** 20;
  const s = await sluiceRun(work, 'big', { input: src, output: path.join(work, 'out'), use: 'gzip', suffix: '.gz' });
  if (s.code !== 0) c.errors.push(`sluice run exited ${s.code}: ${s.stderr.slice(-2000)}`);
  else if ((await sha(path.join(work, 'out', 'big.txt.gz'), true).catch(() => '')) !== (await sha(big))) c.errors.push('the gzip output does not decompress to the input');
  const g = await timed('gzip -c "$0" > "$1"', [big, path.join(work, 'peer.gz')], { shell: true });
  const sRate = mib / (s.ms / 1000);
  const gRate = mib / (g.ms / 1000);
  c.rows.push({ tool: 'sluice run (gzip)', figures: { seconds: round(s.ms / 1000, 2), 'MiB/s': round(sRate, 1), 'peak RSS MB': mb(s.peakRssKb) }, ratio: null });
  const ratio = round(sRate / gRate, 2);
  c.rows.push({ tool: 'gzip -c', figures: { seconds: round(g.ms / 1000, 2), 'MiB/s': round(gRate, 1), 'peak RSS MB': mb(g.peakRssKb) }, ratio });
  c.targets.push({ name: 'throughput >= 0.9 x gzip -c', met: ratio !== null && ratio >= 0.9, detail: `sluice/gzip ${ratio}` });
  const rss = mb(s.peakRssKb);
  c.targets.push({ name: 'peak RSS < 100 MB', met: rss === null ? null : rss < 100, detail: `${rss} MB` });
  return c;
}
