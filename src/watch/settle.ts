import type { Fingerprint } from '../state/store.js';

export interface Observation {
  readonly fingerprint: Fingerprint;
  /** When sluice first saw the file with this fingerprint (ms since epoch, sluice's clock). */
  readonly since: number;
}

export interface StatLike {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/**
 * How much longer a file must stay untouched before it counts as completely written: 0 when it is eligible now.
 * A file is quiet once neither its content (mtime) nor its inode (ctime: writes, renames, utimes) has changed for
 * `settleMs`. A writer can set mtime but never ctime, so a copy that preserves old timestamps still waits. When the
 * file system's clock runs ahead of ours, an unchanged fingerprint seen `settleMs` ago also counts as quiet.
 */
export function settleWait(stat: StatLike, now: number, settleMs: number, previous: Observation | undefined): number {
  if (settleMs <= 0) return 0;
  const lastTouched = Math.max(stat.mtimeMs, stat.ctimeMs);
  const byClock = lastTouched + settleMs - now;
  if (byClock <= 0) return 0;
  if (previous && sameAs(previous.fingerprint, stat)) {
    const byObservation = previous.since + settleMs - now;
    if (byObservation <= 0) return 0;
    return Math.ceil(Math.min(byClock, byObservation));
  }
  return Math.ceil(Math.min(byClock, settleMs));
}

function sameAs(fp: Fingerprint, stat: StatLike): boolean {
  return fp.size === stat.size && fp.mtimeMs === stat.mtimeMs && fp.ino === stat.ino;
}

export function fingerprintOf(stat: StatLike): Fingerprint {
  return { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
}
