import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MemoryStore } from '../../src/state/memory-store.js';
import { RedisStore } from '../../src/state/redis-store.js';
import { SqliteStore } from '../../src/state/sqlite-store.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { absentSize, type FileRecord, type StateStore } from '../../src/state/store.js';

// One contract suite, run against every StateStore implementation.

const record = (relPath: string, over: Partial<FileRecord> = {}): FileRecord => ({
  pipeline: 'p', relPath, fingerprint: { size: 3, mtimeMs: 1700000000123.5, ino: 42 }, hash: 'h1', status: 'done',
  outputs: [`/out/${relPath}.gz`], attempts: 1, stage: null, error: null, updatedAt: 1000, disposed: false, ...over,
});

const implementations: [string, () => { store: StateStore; reopen?: () => StateStore; done: () => Promise<void> | void }][] = [
  ['MemoryStore', () => ({ store: new MemoryStore(), done: () => {} })],
  ['SqliteStore', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-store-'));
    const stateDir = path.join(dir, 'new', 'state');
    const opened: StateStore[] = [];
    const open = () => {
      const s = new SqliteStore(stateDir);
      opened.push(s);
      return s;
    };
    return { store: open(), reopen: open, done: async () => {
      for (const s of opened) await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    } };
  }],
  ['RedisStore', () => {
    // A fresh prefix per test on the one server: stores of one test share it (reopen), tests do not.
    const prefix = `t${(prefixes += 1)}`;
    const opened: StateStore[] = [];
    const open = () => {
      const s = new RedisStore(redis!.url, prefix);
      opened.push(s);
      return s;
    };
    return { store: open(), reopen: open, done: async () => {
      for (const s of opened) await s.close();
    } };
  }],
];

let redis: RedisServer | null = null;
let prefixes = 0;

for (const [name, make] of implementations) {
  describe(`StateStore contract: ${name}`, { skip: name === 'RedisStore' ? redisSkip() : false }, () => {
    if (name === 'RedisStore') {
      before(async () => {
        redis = await startRedis();
      });
      after(async () => {
        await redis?.stop();
      });
    }
    test('put, get, delete; a record reads back exactly as written', async () => {
      const { store, done } = make();
      try {
        const failed = record('b.txt', { status: 'failed', error: { code: 'E', message: 'bad' }, stage: 'gzip', outputs: [] });
        await store.put(record('a.txt'));
        await store.put(failed);
        assert.deepEqual(await store.get('p', 'a.txt'), record('a.txt'));
        assert.deepEqual(await store.get('p', 'b.txt'), failed);
        await store.delete('p', 'a.txt');
        assert.equal(await store.get('p', 'a.txt'), undefined);
      } finally {
        await done();
      }
    });

    test('a failure keeps its class; a finish is stored, listed while owed, and cleared by markAllFinished', async () => {
      const { store, reopen, done } = make();
      try {
        const transient = record('t.txt', { status: 'failed', outputs: [], error: { code: 'EXEC_FAILED', message: 'x', kind: 'transient' } });
        const owing = record('o.txt', { outputs: ['/out/o/1.png', '/out/o/2.png'], finish: { remove: ['/out/o/3.png'], marker: '/out/o/_SUCCESS' } });
        await store.putAll([transient, owing, record('plain.txt')]);
        const again = reopen?.() ?? store;
        assert.deepEqual(await again.get('p', 't.txt'), transient);
        assert.deepEqual(await again.get('p', 'o.txt'), owing);
        assert.deepEqual((await again.pendingFinishes(10)).map((r) => r.relPath), ['o.txt']);
        await again.markAllFinished([{ pipeline: 'p', relPath: 'o.txt' }]);
        assert.deepEqual(await again.pendingFinishes(10), []);
        assert.equal((await again.get('p', 'o.txt'))?.finish ?? null, null);
        assert.deepEqual((await again.get('p', 'o.txt'))?.outputs, owing.outputs);
      } finally {
        await done();
      }
    });

    test('putAll records a group at once; markAllDisposed marks a group; counts and pending disposals follow', async () => {
      const { store, reopen, done } = make();
      try {
        const group = Array.from({ length: 300 }, (_, i) => record(`f${i}`));
        await store.putAll(group);
        await store.putAll([]);
        assert.equal((await store.pendingDisposals(1000)).length, 300);
        await store.markAllDisposed(group.slice(0, 200).map((r) => ({ pipeline: r.pipeline, relPath: r.relPath })));
        await store.markAllDisposed([]);
        assert.equal((await store.pendingDisposals(1000)).length, 100);
        assert.equal((await store.pendingDisposals(10)).length, 10, 'bounded by the limit');
        assert.equal((await store.get('p', 'f0'))?.disposed, true);
        assert.equal((await store.get('p', 'f250'))?.disposed, false);
        assert.deepEqual(await store.counts(), [{ pipeline: 'p', done: 300, failed: 0 }]);
        if (reopen) {
          const again = reopen();
          assert.equal((await again.pendingDisposals(1000)).length, 100, 'and survives a reopen');
        }
      } finally {
        await done();
      }
    });

    test('an append intent lives until endAppend or the put that clears it', async () => {
      const { store, done } = make();
      try {
        await store.beginAppend({ path: '/out/all.log', size: 10 });
        await store.beginAppend({ path: '/out/new.log', size: absentSize });
        assert.deepEqual((await store.appends()).sort((a, b) => a.path.localeCompare(b.path)),
          [{ path: '/out/all.log', size: 10 }, { path: '/out/new.log', size: absentSize }]);
        await store.put(record('x'), '/out/all.log');
        await store.endAppend('/out/new.log');
        assert.deepEqual(await store.appends(), []);
      } finally {
        await done();
      }
    });

    test('producersOf finds the records that list an output, newest first, bounded', async () => {
      const { store, done } = make();
      try {
        await store.putAll([record('old', { outputs: ['/o'], updatedAt: 1 }), record('new', { outputs: ['/o', '/p'], updatedAt: 2 }), record('other')]);
        assert.deepEqual((await store.producersOf('/o', 10)).map((r) => r.relPath), ['new', 'old']);
        assert.deepEqual((await store.producersOf('/o', 1)).map((r) => r.relPath), ['new']);
      } finally {
        await done();
      }
    });

    test('failures lists failed records only, newest first, bounded; a retried (deleted) one leaves the list', async () => {
      const { store, done } = make();
      try {
        const failed = (rel: string, updatedAt: number) =>
          record(rel, { status: 'failed', updatedAt, error: { code: 'E', message: 'bad' }, outputs: [] });
        await store.putAll([failed('a', 1), record('ok', { updatedAt: 5 }), failed('b', 3), failed('c', 2)]);
        assert.deepEqual((await store.failures(10)).map((r) => r.relPath), ['b', 'c', 'a']);
        assert.deepEqual((await store.failures(2)).map((r) => r.relPath), ['b', 'c']);
        await store.delete('p', 'b');
        await store.put(record('c', { updatedAt: 6 }));
        assert.deepEqual((await store.failures(10)).map((r) => r.relPath), ['a']);
      } finally {
        await done();
      }
    });
  });
}
