import { createReadStream } from 'node:fs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { makeBigFile, makeTree } from '../lib/corpus.js';
import { mb, newCase, round, type CaseResult } from '../lib/report.js';
import { have, peersDir, sluiceBin, sluiceConfig, timed, type Timed } from '../lib/run.js';

export interface SmallSize { readonly files: number; readonly bytes: number; readonly concurrency: number }

function sluiceRun(work: string, name: string, src: string, out: string, use: string, concurrency: number, suffix = '') {
  const config = sluiceConfig(work, name, {
    stateDir: path.join(work, `${name}-state`), log: { level: 'warn' },
    pipelines: [{
      name, input: { dir: src, settleMs: 0 }, output: { dir: out, path: `{relDir}/{base}${suffix}` },
      stages: [{ use, concurrency }],
    }],
  });
  return timed(process.execPath, [sluiceBin, 'run', '-c', config]);
}

const fig = (t: Timed, files: number) => ({
  seconds: round(t.ms / 1000, 2), 'files/s': round(files / (t.ms / 1000)), 'peak RSS MB': mb(t.peakRssKb),
});

/** Case 1: many small files through gzip (and copy), sluice run against batched and per-file peers. */
export async function oneshotSmall(work: string, size: SmallSize): Promise<CaseResult[]> {
  const c = newCase('oneshot-small', `One-shot: ${size.files} x ${size.bytes / 1024} KiB through gzip -6`, { ...size });
  const src = path.join(work, 'src');
  const rels = makeTree(src, size.files, size.bytes, Math.max(1, Math.round(size.files / 100)));
  const copyOf = (name: string) => {
    const dir = path.join(work, name);
    fs.cpSync(src, dir, { recursive: true });
    return dir;
  };

  const s = await sluiceRun(work, 'gz', src, path.join(work, 'out-gz'), 'gzip', size.concurrency, '.gz');
  if (s.code !== 0) c.errors.push(`sluice run exited ${s.code}: ${s.stderr.slice(-2000)}`);
  c.errors.push(...verifyGzipTree(src, path.join(work, 'out-gz'), rels));
  c.rows.push({ tool: `sluice run (gzip, concurrency ${size.concurrency})`, figures: fig(s, size.files), ratio: null });

  const peer = async (tool: string, t: Promise<Timed>) => {
    const r = await t;
    c.rows.push({ tool, figures: fig(r, size.files), ratio: round(r.ms / s.ms, 2), ...(r.code !== 0 ? { note: `exited ${r.code}` } : {}) });
    return r;
  };
  const batched = await peer('find | xargs -0 -P2 -n 200 gzip -k', timed('find . -type f -print0 | xargs -0 -P2 -n 200 gzip -k', [], { shell: true, cwd: copyOf('xb') }));
  await peer('find | xargs -0 -n 1 gzip -k (per file)', timed('find . -type f -print0 | xargs -0 -n 1 gzip -k', [], { shell: true, cwd: copyOf('xp') }));
  if (have('parallel')) await peer('find | parallel -0 gzip -k', timed('find . -type f -print0 | parallel -0 gzip -k', [], { shell: true, cwd: copyOf('gp') }));
  else c.skipped.push('GNU parallel: not installed (apt-get install parallel)');
  const nodePeer = path.join(peersDir, 'node-gzip.js');
  await peer('node script, 8 concurrent', timed(process.execPath, [nodePeer, src, path.join(work, 'out-n'), '8', '0', 'gzip']));
  await peer('node script, 8 concurrent, fsync', timed(process.execPath, [nodePeer, src, path.join(work, 'out-nf'), '8', '1', 'gzip']));
  const ratio = round(batched.ms / s.ms, 2);
  c.targets.push({ name: 'at least as fast as batched xargs gzip', met: ratio !== null && ratio >= 1, detail: `ratio ${ratio} (>= 1.0 wanted)` });

  const cc = newCase('oneshot-copy', `One-shot: ${size.files} x ${size.bytes / 1024} KiB copy`, { ...size });
  const sc = await sluiceRun(work, 'cp', src, path.join(work, 'out-cp'), 'copy', size.concurrency);
  if (sc.code !== 0) cc.errors.push(`sluice run (copy) exited ${sc.code}: ${sc.stderr.slice(-2000)}`);
  for (const rel of rels) {
    if (!sameFile(path.join(src, rel), path.join(work, 'out-cp', rel))) {
      cc.errors.push(`copy output wrong or missing: ${rel}`);
      break;
    }
  }
  cc.rows.push({ tool: `sluice run (copy, concurrency ${size.concurrency})`, figures: fig(sc, size.files), ratio: null });
  const cp = await timed('cp', ['-r', src, path.join(work, 'out-cpr')]);
  cc.rows.push({ tool: 'cp -r', figures: fig(cp, size.files), ratio: round(cp.ms / sc.ms, 2) });
  const nc = await timed(process.execPath, [nodePeer, src, path.join(work, 'out-nc'), '8', '1', 'copy']);
  cc.rows.push({ tool: 'node script, 8 concurrent, fsync', figures: fig(nc, size.files), ratio: round(nc.ms / sc.ms, 2) });
  return [c, cc];
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.readFileSync(a).equals(fs.readFileSync(b));
  } catch {
    return false;
  }
}

function verifyGzipTree(src: string, out: string, rels: readonly string[]): string[] {
  let bad = 0;
  let first = '';
  for (const rel of rels) {
    try {
      if (zlib.gunzipSync(fs.readFileSync(path.join(out, `${rel}.gz`))).equals(fs.readFileSync(path.join(src, rel)))) continue;
    } catch {
      // Counted below.
    }
    bad += 1;
    first ||= rel;
  }
  return bad === 0 ? [] : [`${bad} gzip output(s) wrong or missing, first ${first}`];
}

async function sha(file: string, gunzip = false): Promise<string> {
  const hash = crypto.createHash('sha1');
  await pipeline(gunzip ? [createReadStream(file), zlib.createGunzip(), hash] : [createReadStream(file), hash]);
  return hash.digest('hex');
}

/** Case 2: one large file through gzip: throughput against gzip -c, and peak RSS. */
export async function oneshotLarge(work: string, bytes: number): Promise<CaseResult> {
  const c = newCase('oneshot-large', `One-shot: one ${round(bytes / 2 ** 20)} MiB file through gzip -6`, { bytes });
  const src = path.join(work, 'src');
  fs.mkdirSync(src, { recursive: true });
  const big = path.join(src, 'big.txt');
  makeBigFile(big, bytes);
  const mib = bytes / 2 ** 20;
  const s = await sluiceRun(work, 'big', src, path.join(work, 'out'), 'gzip', 2, '.gz');
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
