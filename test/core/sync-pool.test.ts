import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, test, type TestContext } from 'node:test';
import { SyncPool } from '../../src/core/sync-pool.js';

interface Req { op: 'echo' | 'block' | 'exit' | 'throw'; value?: number; ms?: number }
interface Res { threadId: number; value?: number }

// A real worker script: replies with its thread id; blocks its thread for `ms`, exits or throws on request.
const workerSource = `
import { parentPort, threadId } from 'node:worker_threads';
parentPort.on('message', (req) => {
  if (req.op === 'exit') process.exit(7);
  if (req.op === 'throw') throw new Error('worker blew up');
  if (req.op === 'block') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, req.ms);
  parentPort.postMessage({ threadId, value: req.value });
});
`;

async function pool(t: TestContext, size: number): Promise<SyncPool<Req, Res>> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-sync-pool-'));
  const script = join(dir, 'worker.mjs');
  await writeFile(script, workerSource);
  const p = new SyncPool<Req, Res>(pathToFileURL(script), size);
  t.after(async () => {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  });
  return p;
}

describe('SyncPool', () => {
  test('runs each request on a worker thread and resolves with its reply', async (t) => {
    const p = await pool(t, 2);
    const replies = await Promise.all([1, 2, 3, 4, 5].map((value) => p.run({ op: 'echo', value })));
    assert.deepEqual(replies.map((r) => r.value), [1, 2, 3, 4, 5]);
    for (const r of replies) assert.notEqual(r.threadId, 0, 'ran on the main thread');
  });

  test('never runs more workers than its size, and reuses them', async (t) => {
    const p = await pool(t, 2);
    const replies = await Promise.all(Array.from({ length: 8 }, (_, value) => p.run({ op: 'block', ms: 20, value })));
    assert.equal(new Set(replies.map((r) => r.threadId)).size, 2);
  });

  test('requests wait their turn in FIFO order when every worker is busy', async (t) => {
    const p = await pool(t, 1);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((value) => p.run({ op: 'block', ms: 5, value }).then((r) => order.push(r.value!))));
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  test('a worker that exits or throws rejects its request; the next request gets a fresh worker', async (t) => {
    const p = await pool(t, 1);
    const first = await p.run({ op: 'echo', value: 1 });
    await assert.rejects(p.run({ op: 'exit' }), /exited with code 7/);
    const second = await p.run({ op: 'echo', value: 2 });
    assert.equal(second.value, 2);
    assert.notEqual(second.threadId, first.threadId);
    await assert.rejects(p.run({ op: 'throw' }), /worker blew up/);
    assert.equal((await p.run({ op: 'echo', value: 3 })).value, 3);
  });

  test('a request aborted while it waits for a worker leaves the line and takes nothing', async (t) => {
    const p = await pool(t, 1);
    const busy = p.run({ op: 'block', ms: 100, value: 1 });
    const ac = new AbortController();
    const waiting = p.run({ op: 'echo', value: 2 }, { signal: ac.signal });
    ac.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
    assert.equal((await busy).value, 1);
    assert.equal((await p.run({ op: 'echo', value: 3 })).value, 3);
  });

  test('workers keep the process alive while a request runs, and not once it is done', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-sync-pool-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const script = join(dir, 'worker.mjs');
    await writeFile(script, workerSource);
    const poolUrl = new URL('../../src/core/sync-pool.js', import.meta.url).href;
    // Nothing but the request keeps this program's event loop busy; it never calls close().
    const program = `const { SyncPool } = await import(${JSON.stringify(poolUrl)});
      const pool = new SyncPool(new URL(${JSON.stringify(pathToFileURL(script).href)}), 1);
      pool.run({ op: 'block', ms: 300, value: 42 }).then((r) => console.log('reply', r.value));`;
    const main = join(dir, 'main.mjs');
    await writeFile(main, program);
    const child = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.error, undefined, 'the process did not exit on its own once the request was done');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'reply 42', 'the process exited before the reply came');
  });

  test('warm() starts every worker at once, and the warmed pool neither grows nor holds the process', async (t) => {
    const p = await pool(t, 2);
    p.warm();
    p.warm();
    const ids = new Set((await Promise.all([1, 2, 3, 4].map((value) => p.run({ op: 'block', ms: 20, value })))).map((r) => r.threadId));
    assert.equal(ids.size, 2, 'two threads, both warmed');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-sync-pool-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const script = join(dir, 'worker.mjs');
    await writeFile(script, workerSource);
    const poolUrl = new URL('../../src/core/sync-pool.js', import.meta.url).href;
    const main = join(dir, 'main.mjs');
    await writeFile(main, `const { SyncPool } = await import(${JSON.stringify(poolUrl)});
      new SyncPool(new URL(${JSON.stringify(pathToFileURL(script).href)}), 2).warm();
      console.log('warmed');`);
    const child = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.error, undefined, 'idle warmed workers kept the process alive');
    assert.equal(child.stdout.trim(), 'warmed');
  });

  test('close() stops the workers, returns the same promise, and refuses later requests', async (t) => {
    const p = await pool(t, 2);
    await p.run({ op: 'echo', value: 1 });
    const closing = p.close();
    assert.equal(p.close(), closing);
    await closing;
    await assert.rejects(p.run({ op: 'echo' }), /closed/);
  });

  test('a request still waiting for a worker when close() is called is refused, not started', async (t) => {
    const p = await pool(t, 1);
    const busy = p.run({ op: 'block', ms: 50, value: 1 });
    const waiting = p.run({ op: 'echo', value: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    const closing = p.close();
    await assert.rejects(busy, /exited|terminated/);
    await assert.rejects(waiting, /closed/);
    await closing;
  });
});
