import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { RedisStore } from '../../src/state/redis-store.js';
import type { FileRecord } from '../../src/state/store.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';

const record = (relPath: string): FileRecord => ({
  pipeline: 'p', relPath, fingerprint: { size: 3, mtimeMs: 1764590400123.456, ino: 9_007_199_254_740 }, hash: 'h', status: 'done',
  outputs: [`/out/${relPath}`], attempts: 1, stage: null, error: null, updatedAt: 1, disposed: false,
});

// What the contract suite cannot show: the Redis store across a Redis crash and restart on its AOF.
describe('RedisStore and its server', { skip: redisSkip() }, () => {
  const servers: RedisServer[] = [];
  after(async () => {
    for (const s of servers) await s.stop().catch(() => {});
  });

  // With `appendfsync always`: under everysec, Redis may answer a write before writing it to its AOF while a
  // background fsync is slow (a busy disk), and a kill -9 then loses it; the cluster design accepts that second.
  const always = ['--appendfsync', 'always'];
  test('a kill -9 of redis-server and a restart on its AOF keep every acknowledged write; calls made meanwhile wait', async () => {
    const first = await startRedis(undefined, always);
    servers.push(first);
    const store = new RedisStore(first.url, 'crash');
    try {
      await store.putAll([record('a'), record('b')]);
      await store.markDisposed('p', 'a');
      await first.kill();
      const waiting = store.get('p', 'b');
      await new Promise((resolve) => setTimeout(resolve, 300));
      servers.push(await startRedis(first.dir, always));
      assert.deepEqual(await waiting, record('b'), 'the read made while Redis was down resolves once it is back');
      assert.equal((await store.get('p', 'a'))?.disposed, true);
      assert.deepEqual((await store.pendingDisposals(10)).map((r) => r.relPath), ['b']);
      assert.equal((await store.get('p', 'a'))?.fingerprint.mtimeMs, 1764590400123.456, 'the fingerprint is kept exactly');
    } finally {
      await store.close();
    }
  });
});
