import type { WaitOptions } from '../core/abort.js';
import type { Release } from '../core/semaphore.js';

/**
 * The output path lock port: at most one commit at a time writes a path. On one node it is the in-process KeyedLock;
 * in a cluster, Redis leases with fencing behind one (cluster/cluster-locks.ts). The composition root chooses.
 */
export interface PathLocks {
  /** Takes `key`, waiting for its holder; rejects with the signal's reason on abort. */
  acquire(key: string, options?: WaitOptions): Promise<Release>;
  /** Takes every key (all or none, in one sorted order so that no two holders deadlock); one release frees them all. */
  acquireAll(keys: Iterable<string>, options?: WaitOptions): Promise<Release>;
  /** Takes `key` only if that needs no waiting; undefined otherwise (always, where taking it is a network round trip). */
  tryAcquire(key: string): Release | undefined;
  /**
   * Resolves if every key is still held by whoever took it here, with time to spare; rejects with the transient
   * LEASE_LOST otherwise, so that nothing is renamed or recorded under a lock someone else may hold by now. Absent where
   * a lock cannot be lost (in-process).
   */
  confirm?(keys: readonly string[]): Promise<void>;
}
