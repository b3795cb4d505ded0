import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { abortReason, sleep } from '../core/abort.js';
import { acquireScript, releaseScript, renewScript, validScript } from './lease-scripts.js';

export interface LeaseOptions {
  /** How long a lease lives without renewal (a silent holder keeps it this long). @default 30_000 */
  readonly ttlMs?: number;
  /** Key prefix. @default 'sluice' */
  readonly prefix?: string;
  /** How often a waiting acquirer tries again. @default 50 */
  readonly retryMs?: number;
  /** How often a held lease is renewed. @default ttlMs / 3 */
  readonly renewMs?: number;
}

/**
 * A set of paths held across nodes: renewed every ttl/3 until released. `fences` number this grant of each path; they
 * only grow, so whoever records a commit can refuse one made under an older grant.
 */
export interface Lease {
  readonly keys: readonly string[];
  readonly fences: readonly number[];
  /** True while this lease still holds every path with at least `minRemainingMs` left (checked in Redis). */
  valid(minRemainingMs?: number): Promise<boolean>;
  /** Stops renewing and deletes the paths this lease still holds. Idempotent. */
  release(): Promise<void>;
  /** Set once a renewal found the lease lost (expired, or another holder): the work under it must not commit. */
  readonly lost: boolean;
}

/**
 * Cross-node leases on output paths, on one Redis: `SET NX PX` per path with a random token, all of a lease's paths
 * taken in one script (so two holders never deadlock, whatever order they ask in), each grant numbered by a fencing
 * counter, renewed by compare-and-pexpire, released by compare-and-delete (the single-instance pattern of the Redis
 * docs; Redlock's quorum adds nothing with one Redis). A lease is a lease, not a lock: a holder paused past its ttl
 * loses it while it sleeps, so a commit checks `valid()` just before it publishes and records only with its fence.
 */
export class RedisLeases {
  readonly #redis: Redis;
  readonly #ttl: number;
  readonly #prefix: string;
  readonly #retryMs: number;
  readonly #renewMs: number;

  constructor(redis: Redis, options: LeaseOptions = {}) {
    this.#redis = redis;
    this.#ttl = options.ttlMs ?? 30_000;
    this.#prefix = options.prefix ?? 'sluice';
    this.#retryMs = options.retryMs ?? 50;
    this.#renewMs = options.renewMs ?? Math.max(10, Math.floor(this.#ttl / 3));
    redis.defineCommand('sluiceLeaseAcquire', { lua: acquireScript });
    redis.defineCommand('sluiceLeaseRenew', { lua: renewScript });
    redis.defineCommand('sluiceLeaseValid', { lua: validScript });
    redis.defineCommand('sluiceLeaseRelease', { lua: releaseScript });
  }

  /** Takes every path, waiting (polling) while another holder has any of them; rejects with `abortReason(signal)`. */
  async acquire(paths: readonly string[], { signal }: { signal?: AbortSignal } = {}): Promise<Lease> {
    const keys = [...new Set(paths)].sort();
    const token = randomBytes(12).toString('hex');
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const fences = await this.tryAcquire(keys, token);
      if (fences !== null) return this.#lease(keys, token, fences);
      await sleep(this.#retryMs, { signal });
    }
  }

  /** One try: the fences when every path was free (or already this token's), else null. */
  async tryAcquire(keys: readonly string[], token: string): Promise<number[] | null> {
    const reply = await this.#run('sluiceLeaseAcquire', [...this.#keys(keys, 'lease'), ...this.#keys(keys, 'fence')], token, String(this.#ttl));
    return Array.isArray(reply) ? reply.map(Number) : null;
  }

  #lease(keys: readonly string[], token: string, fences: readonly number[]): Lease {
    const leaseKeys = this.#keys(keys, 'lease');
    let lost = false;
    let released = false;
    const renew = async () => {
      const held = await this.#run('sluiceLeaseRenew', leaseKeys, token, String(this.#ttl)).catch(() => -1);
      // Unreachable Redis (-1) is not proof of loss; valid() decides before any commit.
      if (held !== -1 && Number(held) < leaseKeys.length) lost = true;
    };
    const timer = setInterval(() => void renew(), this.#renewMs);
    timer.unref();
    return {
      keys,
      fences,
      get lost() {
        return lost;
      },
      valid: async (minRemainingMs = 0) => !lost && Number(await this.#run('sluiceLeaseValid', leaseKeys, token, String(minRemainingMs))) === 1,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        await this.#run('sluiceLeaseRelease', leaseKeys, token);
      },
    };
  }

  /** Deletes the paths `token` still holds (a role given up without its Lease object). */
  async releaseToken(paths: readonly string[], token: string): Promise<void> {
    await this.#run('sluiceLeaseRelease', this.#keys(paths, 'lease'), token);
  }

  /** The token holding `path` now, or null. */
  async holder(path: string): Promise<string | null> {
    return this.#redis.get(this.#keys([path], 'lease')[0]!);
  }

  /** Redis keys of `paths`: hashed, so any path (long, odd bytes) makes a short key. */
  #keys(paths: readonly string[], kind: 'lease' | 'fence'): string[] {
    return paths.map((p) => `${this.#prefix}:${kind}:${createHash('sha1').update(p).digest('hex')}`);
  }

  #run(command: string, keys: readonly string[], ...args: string[]): Promise<unknown> {
    const fn = (this.#redis as unknown as Record<string, (n: number, ...a: string[]) => Promise<unknown>>)[command]!;
    return fn.call(this.#redis, keys.length, ...keys, ...args);
  }
}
