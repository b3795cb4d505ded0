import type { Job } from './job.js';
import type { PathLocks } from './path-locks.js';

/**
 * Just before a commit renames, appends or records: every job is still this node's and every lock still held (a
 * cross-node lease can be lost to a pause; see PathLocks.confirm, Job.confirm). The jobs first: one that another node
 * took over must not be retried here (JOB_LOST ends it; LEASE_LOST is retried). Rejects with the first failure.
 */
export async function confirmHeld(jobs: readonly Job[], keys: readonly string[], locks: PathLocks): Promise<void> {
  await Promise.all(jobs.map((job) => job.confirm?.()));
  await locks.confirm?.(keys);
}

/**
 * Just before a commit records what it published: its locks are still held, so no newer grant (fence) of its paths
 * exists and its record is the newest. (The jobs were confirmed before the renames; the lock is what orders commits.)
 */
export async function confirmLocks(keys: readonly string[], locks: PathLocks): Promise<void> {
  await locks.confirm?.(keys);
}
