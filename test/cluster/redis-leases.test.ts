import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { RedisLeases } from '../../src/cluster/redis-leases.js';
import { track } from '../helpers/async.js';
import { clientOf, redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';

// Cross-node leases on a real redis-server: each RedisLeases plays one node (its own connection).
describe('RedisLeases (cross-node output leases with fencing)', { skip: redisSkip() }, () => {
  let server: RedisServer;
  let clients: Redis[] = [];
  let n = 0;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    n += 1;
  });
  afterEach(() => {
    for (const c of clients) c.disconnect();
    clients = [];
  });

  /** A node: its own connection, the test's own prefix. */
  function node(ttlMs = 1000, renewMs?: number): RedisLeases {
    const redis = clientOf(server);
    clients.push(redis);
    return new RedisLeases(redis, { ttlMs, prefix: `t${n}`, retryMs: 10, ...(renewMs === undefined ? {} : { renewMs }) });
  }

  test('one holder per path across nodes; the waiter gets it on release, with a higher fence', async () => {
    const a = node();
    const b = node();
    const first = await a.acquire(['/out/x', '/out/y']);
    const acquiring = b.acquire(['/out/y']);
    const waiting = track(acquiring);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(waiting.state, 'pending', 'b waits while a holds /out/y');
    assert.equal(await first.valid(), true);
    await first.release();
    const second = await acquiring;
    assert.ok(second.fences[0]! > first.fences[1]!, `fence ${second.fences[0]} after ${first.fences[1]}`);
    assert.equal(await first.valid(), false, 'a released lease is no longer valid');
    await second.release();
  });

  test('all or none: two nodes asking for overlapping sets in opposite orders never deadlock', async () => {
    const a = node();
    const b = node();
    const results = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const lease = await (i % 2 ? a : b).acquire(i % 2 ? ['/p', '/q'] : ['/q', '/p']);
      await new Promise((resolve) => setTimeout(resolve, 2));
      const ok = await lease.valid();
      await lease.release();
      return ok;
    }));
    assert.deepEqual(results, Array(20).fill(true));
  });

  test('renewal keeps a lease past its ttl while the holder lives', async () => {
    const a = node(300);
    const lease = await a.acquire(['/out/long']);
    await new Promise((resolve) => setTimeout(resolve, 900));
    assert.equal(await lease.valid(100), true, 'renewed every ttl/3');
    assert.equal(lease.lost, false);
    await lease.release();
  });

  test('a holder that stops renewing (paused, dead) loses its lease after the ttl: its commit check fails, its release is harmless', async () => {
    const paused = node(300, 3_600_000); // renews once an hour: in this test, never
    const b = node(300);
    const stale = await paused.acquire(['/out/z']);
    const fresh = await b.acquire(['/out/z']);
    assert.ok(fresh.fences[0]! > stale.fences[0]!, 'the new grant has a newer fence');
    assert.equal(await stale.valid(), false, 'the paused holder must not commit');
    await stale.release();
    assert.equal(await fresh.valid(), true, "the stale release leaves the new holder's lease alone");
    await fresh.release();
  });

  test('valid(minRemainingMs) refuses a lease about to expire', async () => {
    const a = node(200);
    const lease = await a.acquire(['/out/soon']);
    assert.equal(await lease.valid(10_000), false, 'not 10 s left of a 200 ms lease');
    assert.equal(await lease.valid(0), true);
    await lease.release();
  });

  test('an aborted waiter takes nothing', async () => {
    const a = node();
    const b = node();
    const held = await a.acquire(['/out/w']);
    const controller = new AbortController();
    const waiting = b.acquire(['/out/w'], { signal: controller.signal });
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    await held.release();
    const next = await b.acquire(['/out/w']);
    assert.equal(await next.valid(), true);
    await next.release();
  });
});
