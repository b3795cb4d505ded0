import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkRedis, compareVersions, redisHealth } from '../../src/cluster/redis-health.js';
import { SluiceError } from '../../src/errors.js';
import { redisPerSuite, redisSkip } from '../helpers/redis.js';

describe('Redis health and the start-up guards of cluster mode', () => {
  test('versions compare by their dotted numbers', () => {
    assert.equal(compareVersions('7.0.15', '6.2.0'), 1);
    assert.equal(compareVersions('6.2.0', '6.2'), 0);
    assert.equal(compareVersions('6.0.16', '6.2.0'), -1);
  });

  test('refuses an old Redis and an evicting one (exit 2, naming the URL), warns without AOF', () => {
    const ok = { version: '7.0.15', maxmemoryPolicy: 'noeviction', aof: true, usedMemoryBytes: 1 };
    assert.deepEqual(checkRedis(ok, 'redis://r:6379'), []);
    assert.match(checkRedis({ ...ok, aof: false }, 'redis://r:6379')[0]!, /without AOF/);
    for (const bad of [{ ...ok, version: '6.0.16' }, { ...ok, maxmemoryPolicy: 'allkeys-lru' }]) {
      assert.throws(() => checkRedis(bad, 'redis://r:6379'), (err: unknown) =>
        err instanceof SluiceError && err.code === 'REDIS_UNSUITABLE' && err.exitCode === 2 && err.message.includes('redis://r:6379'));
    }
  });

  describe('on a real redis-server', { skip: redisSkip() }, () => {
    const suite = redisPerSuite(before, after);

    test('reads version, policy, AOF and memory; an evicting policy set at runtime is refused', async () => {
      const health = await redisHealth(suite.redis);
      assert.ok(compareVersions(health.version, '6.2.0') >= 0, health.version);
      assert.equal(health.maxmemoryPolicy, 'noeviction');
      assert.equal(health.aof, true);
      assert.ok(health.usedMemoryBytes > 0);
      assert.deepEqual(checkRedis(health, suite.server.url), []);
      await suite.redis.config('SET', 'maxmemory-policy', 'volatile-lru');
      assert.throws(() => checkRedis({ ...health, maxmemoryPolicy: 'volatile-lru' }, suite.server.url), /noeviction/);
      assert.equal((await redisHealth(suite.redis)).maxmemoryPolicy, 'volatile-lru');
    });
  });
});
