import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { ClusterLocks } from '../../src/cluster/cluster-locks.js';
import { RedisLeases } from '../../src/cluster/redis-leases.js';
import { KeyedLock } from '../../src/core/keyed-lock.js';
import type { PathLocks } from '../../src/pipeline/path-locks.js';
import { clientOf, redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';

const settle = () => new Promise((r) => setTimeout(r, 30));

/** The PathLocks contract: what the commit path relies on, whichever implementation the composition root picks. */
function contract(name: string, make: () => PathLocks, skip: string | false = false): void {
  describe(`PathLocks contract: ${name}`, { skip }, () => {
    it('one holder per path; the next waits until it is released; other paths are free', async () => {
      const locks = make();
      const first = await locks.acquire('/out/a');
      let second = false;
      const waiting = locks.acquire('/out/a').then((r) => {
        second = true;
        return r;
      });
      const other = await locks.acquire('/out/b');
      await settle();
      assert.equal(second, false);
      first();
      first();
      (await waiting)();
      assert.equal(second, true);
      other();
    });

    it('acquireAll takes overlapping sets asked in any order without deadlock, all or nothing', async () => {
      const locks = make();
      const runs = Array.from({ length: 6 }, (_, i) => (async () => {
        const keys = i % 2 === 0 ? ['/o/x', '/o/y', '/o/z'] : ['/o/z', '/o/x'];
        const release = await locks.acquireAll(keys);
        await settle();
        release();
      })());
      await Promise.all(runs);
      const again = await locks.acquireAll(['/o/x', '/o/y', '/o/z']);
      again();
    });

    it('an aborted wait rejects with the reason and takes nothing', async () => {
      const locks = make();
      const held = await locks.acquire('/o/k');
      const ac = new AbortController();
      const waiting = locks.acquire('/o/k', { signal: ac.signal });
      ac.abort(new Error('stop'));
      await assert.rejects(waiting, /stop/);
      held();
      (await locks.acquire('/o/k'))();
    });

    it('confirm resolves for paths held; tryAcquire never takes a held path', async () => {
      const locks = make();
      const release = await locks.acquireAll(['/c/1', '/c/2']);
      await locks.confirm?.(['/c/1', '/c/2']);
      assert.equal(locks.tryAcquire('/c/1'), undefined);
      release();
      await settle();
      const got = locks.tryAcquire('/c/1');
      got?.();
    });
  });
}

contract('KeyedLock (one node)', () => new KeyedLock<string>());

let server: RedisServer | null = null;
const clients: Redis[] = [];
const skip = redisSkip();
function clusterLocks(ttlMs = 2000): ClusterLocks {
  const redis = clientOf(server!);
  clients.push(redis);
  return new ClusterLocks(new RedisLeases(redis, { ttlMs, prefix: 't', retryMs: 10 }), Math.floor(ttlMs / 3));
}
before(async () => {
  if (!skip) server = await startRedis();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});
contract('ClusterLocks (Redis leases)', () => clusterLocks(), skip);

describe('ClusterLocks across nodes', { skip }, () => {
  it('two nodes exclude each other on a path', async () => {
    const [a, b] = [clusterLocks(), clusterLocks()];
    const held = await a.acquire('/shared/out');
    let taken = false;
    const waiting = b.acquire('/shared/out').then((r) => {
      taken = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(taken, false, 'the other node waits');
    held();
    (await waiting)();
  });

  it('a lease lost (expired, now another holder\'s) fails confirm with LEASE_LOST', async () => {
    const a = clusterLocks(300);
    const b = clusterLocks(300);
    await a.acquire('/lost/out');
    // Simulate a node that stopped renewing: its lease key goes, and the other node takes the path.
    const redis = clients.at(-1)!;
    for (const key of await redis.keys('t:lease:*')) await redis.del(key);
    const theirs = await b.acquire('/lost/out');
    await assert.rejects(a.confirm(['/lost/out']), (err: { code?: string; kind?: string }) => err.code === 'LEASE_LOST' && err.kind === 'transient');
    await b.confirm(['/lost/out']);
    theirs();
  });
});
