import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import type { InputVersion } from '../../src/cluster/job-ids.js';
import { jobIdOf } from '../../src/cluster/job-ids.js';
import { PipelineQueue } from '../../src/cluster/pipeline-queue.js';
import { clientOf, redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { waitFor } from '../helpers/process.js';

const version = (relPath: string, size = 1, mtimeMs = 1000): InputVersion => ({
  pipeline: 'p', relPath, fingerprint: { size, mtimeMs, ino: 7 }, hash: 'h',
});

// BullMQ 6 on a real redis-server: what cluster mode relies on for "at most one job per version, one active per path".
describe('PipelineQueue (BullMQ): idempotent enqueue, one active job per path, shared by nodes', { skip: redisSkip() }, () => {
  let server: RedisServer;
  let open: { queue: PipelineQueue; redis: Redis }[] = [];
  let n = 0;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });
  afterEach(async () => {
    for (const { queue, redis } of open) {
      await queue.close();
      redis.disconnect();
    }
    open = [];
  });

  /** A node's queue of pipeline p (its own connection; a fresh prefix per test). */
  function node(prefix: string): PipelineQueue {
    const redis = clientOf(server);
    const queue = new PipelineQueue(redis, 'p', { prefix, lockMs: 2000 });
    open.push({ queue, redis });
    return queue;
  }

  test('two nodes enqueueing the same versions make one job each; their workers run each exactly once', async () => {
    const prefix = `q${(n += 1)}`;
    const [a, b] = [node(prefix), node(prefix)];
    const versions = Array.from({ length: 50 }, (_, i) => version(`f${i}.txt`));
    await Promise.all([a.enqueue(versions), b.enqueue(versions), a.enqueue(versions.slice(0, 10))]);
    assert.equal((await a.counts()).waiting, 50);
    const ran = new Map<string, string[]>();
    const record = (who: string) => async (v: InputVersion) => {
      ran.set(v.relPath, [...(ran.get(v.relPath) ?? []), who]);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    a.work('a', 4, record('a'));
    b.work('b', 4, record('b'));
    await waitFor('every job completed', async () => (await a.counts()).completed === 50);
    assert.equal(ran.size, 50);
    assert.deepEqual([...ran.values()].filter((w) => w.length !== 1), [], 'each ran once');
    const nodes = new Set([...ran.values()].flat());
    assert.deepEqual([...nodes].sort(), ['a', 'b'], 'both nodes took work');
    await a.enqueue(versions);
    assert.deepEqual(await a.counts().then((c) => c.waiting), 0, 'a completed version is not queued again while it is kept');
  });

  test('a newer version of a path added while one is active runs once, after it; versions in between are dropped', async () => {
    const prefix = `q${(n += 1)}`;
    const a = node(prefix);
    const started: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    a.work('a', 4, async (v) => {
      started.push(v.fingerprint.size);
      if (v.fingerprint.size === 1) await gate;
    });
    await a.enqueue([version('x.txt', 1)]);
    await waitFor('version 1 active', () => started.length === 1);
    await a.enqueue([version('x.txt', 2)]);
    await a.enqueue([version('x.txt', 3)]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(started, [1], 'no second job of the path runs while one is active');
    release();
    await waitFor('the newest version ran', () => started.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(started, [1, 3]);
  });

  test('job ids follow BullMQ rules and differ by version', () => {
    const id = jobIdOf(version('a.txt'));
    assert.match(id, /^f-[0-9a-f]{32}$/);
    assert.notEqual(id, jobIdOf(version('a.txt', 2)));
    assert.notEqual(id, jobIdOf({ ...version('a.txt'), hash: 'other' }));
  });
});
