import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './run.js';

function firstLine(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return null;
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return out ?? null;
}

function pkgVersion(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The machine and the versions of everything measured. */
export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    tmpdir: os.tmpdir(),
    tmpdirFs: fsType(os.tmpdir()),
    inotifyMaxUserWatches: readNumber('/proc/sys/fs/inotify/max_user_watches'),
    versions: {
      node: process.version,
      sluice: pkgVersion(repoRoot),
      chokidar: pkgVersion(path.join(repoRoot, 'node_modules', 'chokidar')),
      gzip: firstLine('gzip', ['--version']),
      xargs: firstLine('xargs', ['--version']),
      parallel: firstLine('parallel', ['--version']),
      inotifywait: firstLine('inotifywait', ['--help'])?.split(' ').slice(0, 2).join(' ') ?? null,
    },
  };
}

/** The type of the file system holding `dir` (the longest mount point above it in /proc/mounts), or 'unknown'. */
export function fsType(dir: string): string {
  let best = { point: '', type: 'unknown' };
  try {
    const real = fs.realpathSync(dir);
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, raw, type] = line.split(' ');
      if (raw === undefined || type === undefined) continue;
      // Spaces and the like are octal escapes there (\040).
      const point = raw.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
      const under = point === '/' || real === point || real.startsWith(`${point}/`);
      // A later mount on the same point hides the earlier one.
      if (under && point.length >= best.point.length) best = { point, type };
    }
  } catch {
    // No /proc (not Linux) or no such folder.
  }
  return best.type;
}

function readNumber(file: string): number | null {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
}
