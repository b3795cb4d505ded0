import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Heartbeat, liveNodes, type NodeInfo } from '../../src/cluster/heartbeats.js';
import { redisPerSuite, redisSkip } from '../helpers/redis.js';
import { waitFor } from '../helpers/process.js';

const info = (node: string): NodeInfo => ({ node, host: 'h', pid: 1, version: '0.1.0', startedAt: 1, hashes: { p: 'abc' }, inFlight: 0, tag: 't1' });

describe('node heartbeats', { skip: redisSkip() }, () => {
  const suite = redisPerSuite(before, after);

  test('live nodes are listed while they beat; a node that stops beating drops out after its ttl; stop() leaves at once', async () => {
    const a = new Heartbeat(suite.redis, () => info('a'), { prefix: 'hb', everyMs: 50, ttlMs: 200 });
    const b = new Heartbeat(suite.redis, () => info('b'), { prefix: 'hb', everyMs: 50, ttlMs: 200 });
    await a.start();
    await b.start();
    assert.deepEqual((await liveNodes(suite.redis, 'hb')).map((n) => n.node), ['a', 'b']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual((await liveNodes(suite.redis, 'hb')).map((n) => n.node), ['a', 'b'], 'renewed while alive');
    await b.stop();
    assert.deepEqual((await liveNodes(suite.redis, 'hb')).map((n) => n.node), ['a']);
    // A dead node: its timer is gone but its key was not deleted (kill -9).
    await suite.redis.set('hb:node:dead', JSON.stringify({ ...info('dead'), beatAt: Date.now() }), 'PX', 150);
    assert.equal((await liveNodes(suite.redis, 'hb')).length, 2);
    await waitFor('the dead node to expire', async () => (await liveNodes(suite.redis, 'hb')).length === 1);
    const [alive] = await liveNodes(suite.redis, 'hb');
    assert.equal(alive!.hashes['p'], 'abc');
    assert.ok(Date.now() - alive!.beatAt < 1000);
    await a.stop();
  });
});
