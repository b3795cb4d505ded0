/**
 * Fault-suite helpers that need the operating system's help: small tmpfs mounts (disk full, read-only folders) and an
 * unprivileged user (permission errors, which root never sees). Each returns a reason instead of throwing when the
 * machine cannot do it, so a test can skip saying why.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { sluiceBin } from '../helpers/process.js';

/** The unprivileged user sluice runs as in permission tests (nobody on Debian and most Linux systems). */
export const nobody = { uid: 65534, gid: 65534 } as const;

/** Why mounts cannot be made here, or null when they can. */
export function cannotMount(): string | null {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (run the suite as root to cover this scenario)';
  return null;
}

/** Mounts a tmpfs of `size` (mount(8) syntax: 1m, 64k) at `dir` (created); returns an error text, or null on success. */
export function mountTmpfs(dir: string, size: string, extra = ''): string | null {
  const why = cannotMount();
  if (why !== null) return why;
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${extra ? `,${extra}` : ''}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? null : `mount -t tmpfs failed (${r.error?.message ?? r.stderr.trim()})`;
}

/** Remounts a mounted tmpfs read-only or read-write. */
export function remount(dir: string, mode: 'ro' | 'rw'): void {
  const r = spawnSync('mount', ['-o', `remount,${mode}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount -o remount,${mode} ${dir} failed: ${r.stderr}`);
}

/** Detaches a mount (lazily, so a process still holding a file there cannot make it fail); missing is fine. */
export function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir], { encoding: 'utf8' });
}

/** Writes `file` until the file system is full (ENOSPC); returns the bytes written. */
export function fillUp(file: string): number {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let written = 0;
  try {
    for (;;) written += fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

/** Why sluice cannot be run as `nobody` here, or null when it can (root, and this checkout readable by others). */
export function cannotRunAsNobody(): string | null {
  if (process.platform !== 'linux') return `permission tests need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'running sluice as another user needs root (as a non-root user the suite cannot drop privileges)';
  const r = spawnSync(process.execPath, [sluiceBin, '--version'], { ...nobody, cwd: '/', encoding: 'utf8' });
  if (r.status !== 0) return `sluice cannot run as uid ${nobody.uid} (is the checkout readable by others?): ${r.stderr || r.error?.message}`;
  return null;
}

/** Gives `nobody` the folders (created, recursively chowned) and lets it reach them through `root` (mode 0755). */
export function handOver(root: string, ...dirs: string[]): void {
  fs.chmodSync(root, 0o755);
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true });
    chownTree(dir);
  }
}

function chownTree(target: string): void {
  fs.chownSync(target, nobody.uid, nobody.gid);
  if (!fs.lstatSync(target).isDirectory()) return;
  for (const name of fs.readdirSync(target)) chownTree(`${target}/${name}`);
}
