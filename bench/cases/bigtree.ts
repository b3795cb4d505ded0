import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTree } from '../lib/corpus.js';
import { mb, newCase, round, type CaseResult } from '../lib/report.js';
import { inotifyWatches, peersDir, Service, sluiceBin, sluiceConfig, timed, until, vmHwmKb } from '../lib/run.js';

export interface TreeSize { readonly files: number; readonly folders: number; readonly modifications: number; readonly peerWatchCap: number | null }

/** Runs `argv` in a user namespace whose inotify watch limit is `cap` (Linux >= 5.11), or as is when cap is null. */
function capped(argv: string[], cap: number | null): string[] {
  if (cap === null) return argv;
  return ['unshare', '--user', '--map-root-user', '/bin/sh', '-c', `echo ${cap} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`, ...argv];
}

/** Case 5: a big tree kept in place (mirror): time until watching, RSS, inotify watches, modifications seen. */
export async function bigTree(work: string, size: TreeSize): Promise<CaseResult> {
  const c = newCase('big-tree', `Big tree: ${size.files} files in ${size.folders} folders, ${size.modifications} scattered modifications`, { ...size });
  const src = path.join(work, 'tree');
  const rels = makeTree(src, size.files, 200, size.folders, 5);
  const dirs = new Set(rels.map((r) => path.dirname(r))).size + 1;
  const config = sluiceConfig(work, 'tree', {
    stateDir: path.join(work, 'state'), log: { level: 'warn' },
    pipelines: [{ name: 'tree', input: { dir: src, settleMs: 0 }, output: { dir: path.join(work, 'mirror') }, stages: [{ use: 'copy' }] }],
  });
  const initial = await timed(sluiceBin, ['run', '-c', config]);
  if (initial.code !== 0) c.errors.push(`the initial mirror run exited ${initial.code}: ${initial.stderr.slice(-2000)}`);

  let scanned = false;
  const sluice = new Service([sluiceBin, 'watch', '-c', config, '--log-level', 'info', '--log-format', 'json'], {
    onLine: (line) => {
      if (line.includes('"scan of tree done')) scanned = true;
    },
  });
  let watchingMs: number | null = null;
  await until(() => {
    if (/watching /.test(sluice.stderrTail)) watchingMs ??= performance.now() - sluice.startedAt;
    return watchingMs !== null;
  }, 300_000, 20);
  await until(() => scanned, 600_000, 100);
  const watches = inotifyWatches(sluice.pid);
  const step = Math.max(1, Math.floor(rels.length / size.modifications));
  const targets = Array.from({ length: size.modifications }, (_, i) => rels[(i * step + 7) % rels.length]!);
  const modified = (rel: string) => `modified ${rel}\n`;
  for (const rel of targets) fs.writeFileSync(path.join(src, rel), modified(rel));
  const seen = () => targets.filter((rel) => {
    try {
      return fs.readFileSync(path.join(work, 'mirror', rel), 'utf8') === modified(rel);
    } catch {
      return false;
    }
  }).length;
  await until(() => seen() === targets.length, 60_000, 250);
  const sluiceSeen = seen();
  const rssKb = vmHwmKb(sluice.pid);
  await sluice.stop();
  if (sluiceSeen < targets.length) c.errors.push(`sluice missed ${targets.length - sluiceSeen} of ${targets.length} modifications`);
  c.rows.push({
    tool: 'sluice watch', ratio: null,
    figures: { 'watching s': round((watchingMs ?? NaN) / 1000, 2), 'peak RSS MB': mb(rssKb), 'inotify watches': watches, seen: `${sluiceSeen}/${targets.length}` },
    note: `initial mirror (sluice run, not part of the figures): ${round(initial.ms / 1000, 1)} s; ${dirs} folders`,
  });

  const unshareOk = size.peerWatchCap === null || spawnSync('unshare', ['--user', '--map-root-user', 'true']).status === 0;
  const cap = unshareOk ? size.peerWatchCap : null;
  const errors = new Map<string, number>();
  const changes = new Set<string>();
  let readyMs: number | null = null;
  const peer = new Service(capped([process.execPath, path.join(peersDir, 'chokidar-default.js'), src], cap), {
    onLine: (line) => {
      const [kind, rest] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
      if (kind === 'ready') readyMs = performance.now() - peer.startedAt;
      else if (kind === 'change' || kind === 'add') changes.add(path.relative(src, rest));
      else if (kind === 'error') errors.set(rest, (errors.get(rest) ?? 0) + 1);
    },
  });
  await until(() => readyMs !== null || peer.child.exitCode !== null, 600_000, 50);
  const peerWatches = inotifyWatches(peer.pid);
  for (const rel of targets) fs.writeFileSync(path.join(src, rel), `${modified(rel)}again\n`);
  await until(() => targets.every((rel) => changes.has(rel)), 60_000, 250);
  const peerSeen = targets.filter((rel) => changes.has(rel)).length;
  const peerRss = vmHwmKb(peer.pid);
  await peer.stop(5000);
  c.rows.push({
    tool: 'chokidar 5, defaults', ratio: null,
    figures: { 'watching s': round((readyMs ?? NaN) / 1000, 2), 'peak RSS MB': mb(peerRss), 'inotify watches': peerWatches, seen: `${peerSeen}/${targets.length}` },
    note: [cap !== null ? `run with its inotify watches capped at ${cap} (a user namespace) to spare other users of this machine` : '',
      errors.size > 0 ? `errors reported: ${[...errors].map(([k, n]) => `${k} x${n}`).join(', ')}` : 'no errors reported'].filter(Boolean).join('; '),
  });
  if (size.peerWatchCap !== null && cap === null) c.skipped.push('could not cap the chokidar peer\'s watches (unshare unavailable): ran uncapped');

  const rss = mb(rssKb);
  c.targets.push({ name: 'zero missed modifications', met: sluiceSeen === targets.length, detail: `${sluiceSeen} of ${targets.length} seen within 60 s` });
  c.targets.push({ name: 'peak RSS < 300 MB', met: rss === null ? null : rss < 300, detail: `${rss} MB` });
  c.targets.push({ name: 'watching within 10 s', met: watchingMs !== null && watchingMs <= 10_000, detail: `${round((watchingMs ?? NaN) / 1000, 2)} s` });
  c.targets.push({ name: 'inotify watches proportional to folders', met: watches <= 2 * dirs + 10, detail: `${watches} watches for ${dirs} folders and ${size.files} files` });
  return c;
}
