import type { WaitOptions } from '../core/abort.js';
import { KeyedLock } from '../core/keyed-lock.js';
import type { Release } from '../core/semaphore.js';
import { SluiceError } from '../errors.js';
import type { PathLocks } from '../pipeline/path-locks.js';
import type { Lease, RedisLeases } from './redis-leases.js';

/**
 * The path lock port across nodes: the in-process KeyedLock in front (jobs of this node queue there, not in Redis),
 * then one Redis lease for all the keys (renewed while held, fenced). `confirm` demands that each key's lease is still
 * this holder's with at least `minRemainingMs` to go: what a commit checks just before it renames and records, so a
 * node paused past its lease (GC, SIGSTOP, a lost network) never publishes over a newer commit, short of a pause that
 * falls between that check and the rename (README, Running a cluster, documents the window). Bounded as KeyedLock is.
 */
export class ClusterLocks implements PathLocks {
  readonly #local = new KeyedLock<string>();
  readonly #leases: RedisLeases;
  readonly #minRemainingMs: number;
  /** The lease each held key is under (a key is in it exactly while held here). */
  readonly #held = new Map<string, Lease>();

  constructor(leases: RedisLeases, minRemainingMs: number) {
    this.#leases = leases;
    this.#minRemainingMs = minRemainingMs;
  }

  acquire(key: string, options?: WaitOptions): Promise<Release> {
    return this.acquireAll([key], options);
  }

  async acquireAll(keys: Iterable<string>, options: WaitOptions = {}): Promise<Release> {
    const list = [...new Set(keys)].sort();
    const local = await this.#local.acquireAll(list, options);
    let lease: Lease;
    try {
      lease = await this.#leases.acquire(list, options);
    } catch (err) {
      local();
      throw err;
    }
    for (const key of list) this.#held.set(key, lease);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of list) if (this.#held.get(key) === lease) this.#held.delete(key);
      // The next local holder waits for the lease to go, not for its expiry.
      void lease.release().catch(() => {}).finally(local);
    };
  }

  /** Never without a round trip to Redis: callers take the waiting path. */
  tryAcquire(): undefined {
    return undefined;
  }

  async confirm(keys: readonly string[]): Promise<void> {
    const leases = new Set<Lease | undefined>(keys.map((k) => this.#held.get(k)));
    for (const lease of leases) {
      if (lease && (await lease.valid(this.#minRemainingMs))) continue;
      throw new SluiceError('LEASE_LOST',
        'this node no longer holds the lease on an output (it was paused or cut off from Redis past cluster.lockMs); ' +
        'nothing was published, and the input is processed again', { kind: 'transient' });
    }
  }
}
