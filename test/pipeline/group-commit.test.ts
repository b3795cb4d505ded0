import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { KeyedLock } from '../../src/core/keyed-lock.js';
import { EventBus, type EngineEvent } from '../../src/observability/events.js';
import { Durability } from '../../src/pipeline/durability.js';
import { DirCache } from '../../src/pipeline/files.js';
import { GroupCommit, type CommitItem } from '../../src/pipeline/group-commit.js';
import type { Job } from '../../src/pipeline/job.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import type { FileRecord } from '../../src/state/store.js';
import { fingerprintOf } from '../../src/watch/settle.js';
import { track } from '../helpers/async.js';

/** A real in-memory store that counts its transactions. */
class CountingStore extends MemoryStore {
  groups: number[] = [];
  disposals: number[] = [];
  override async putAll(records: readonly FileRecord[]): Promise<void> {
    this.groups.push(records.length);
    await super.putAll(records);
  }
  override async markAllDisposed(keys: readonly { pipeline: string; relPath: string }[]): Promise<void> {
    this.disposals.push(keys.length);
    await super.markAllDisposed(keys);
  }
}

describe('GroupCommit', () => {
  let dir: string;
  let store: CountingStore;
  let locks: KeyedLock<string>;
  let events: EngineEvent[];
  let abort: AbortController;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-group-'));
    for (const d of ['in', 'out/.tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    store = new CountingStore();
    locks = new KeyedLock();
    events = [];
    abort = new AbortController();
  });
  afterEach(() => {
    abort.abort();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function group(o: { busy: number; maxFiles?: number; windowMs?: number; onSuccess?: 'keep' | 'delete' }): GroupCommit {
    const bus = new EventBus();
    bus.on((e) => events.push(e));
    const dirs = new DirCache();
    onSuccess = o.onSuccess ?? 'keep';
    return new GroupCommit({
      store, locks, dirs, durability: new Durability(dirs), events: bus, signal: abort.signal, busy: () => o.busy,
      maxFiles: o.maxFiles, windowMs: o.windowMs,
    });
  }
  let onSuccess: 'keep' | 'delete' = 'keep';

  function item(name: string, final = name): CommitItem {
    const input = path.join(dir, 'in', name);
    fs.writeFileSync(input, `input ${name}`);
    const temp = path.join(dir, 'out', '.tmp', `${name}.tmp`);
    fs.writeFileSync(temp, `result of ${name}`);
    const pipeline = {
      name: 'p', hash: 'h', output: { mode: 'replace', conflict: 'replace', marker: null, dir: path.join(dir, 'out') }, onSuccess: { kind: onSuccess }, onFailure: { kind: 'keep' },
      input: { dir: path.join(dir, 'in'), marker: null },
    } as unknown as Job['pipeline'];
    const job: Job = { kind: 'process', pipeline, relPath: name, absPath: input, fingerprint: fingerprintOf(fs.lstatSync(input)), queuedAt: 0 };
    return { job, result: { kind: 'file', temp, durable: false }, target: { kind: 'file', final: path.join(dir, 'out', 'sub', final) }, marker: null, attempts: 1 };
  }

  /** The output path of a file item. */
  function finalOf(i: CommitItem): string {
    return (i.target as { final: string }).final;
  }

  test('a lone file commits at once when nothing else is busy, however long the window', async () => {
    const g = group({ busy: 0, windowMs: 3_600_000 });
    const { record } = await g.commit(item('a'));
    assert.equal(record.status, 'done');
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'sub', 'a'), 'utf8'), 'result of a');
    assert.deepEqual(store.groups, [1]);
  });

  test('while others are busy, files wait for the batch to fill and then share one transaction', async () => {
    const g = group({ busy: 5, maxFiles: 4, windowMs: 3_600_000, onSuccess: 'delete' });
    const pending = ['a', 'b', 'c'].map((n) => track(g.commit(item(n))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(pending.map((p) => p.state), ['pending', 'pending', 'pending'], 'the window holds them');
    assert.deepEqual(store.groups, []);
    await g.commit(item('d'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(pending.map((p) => p.state), ['fulfilled', 'fulfilled', 'fulfilled'], 'one batch: they settle with the fourth');
    assert.deepEqual(store.groups, [4], 'one transaction for the four records');
    assert.deepEqual(store.disposals, [4], 'and one for their disposals');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'in')), [], 'every input deleted');
    for (const n of ['a', 'b', 'c', 'd']) assert.equal((await store.get('p', n))?.disposed, true);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'out', '.tmp')), []);
  });

  test('the window closes a partial batch after windowMs', async () => {
    const g = group({ busy: 5, maxFiles: 100, windowMs: 20 });
    await Promise.all([g.commit(item('a')), g.commit(item('b'))]);
    assert.deepEqual(store.groups, [2]);
  });

  test('an input that changed is rejected alone with INPUT_CHANGED; the rest of its batch commits', async () => {
    const g = group({ busy: 5, maxFiles: 3, windowMs: 3_600_000 });
    const changed = item('changed');
    fs.writeFileSync(changed.job.absPath, 'a newer, longer version');
    const results = await Promise.allSettled([g.commit(item('a')), g.commit(changed), g.commit(item('b'))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((results[1] as PromiseRejectedResult).reason.code, 'INPUT_CHANGED');
    assert.equal(fs.existsSync(finalOf(changed)), false, 'nothing published for it');
    assert.deepEqual(store.groups, [2]);
    assert.equal(await store.get('p', 'changed'), undefined);
  });

  test('two inputs of one batch that map to one output commit in batch order, each recorded', async () => {
    const g = group({ busy: 5, maxFiles: 2, windowMs: 3_600_000 });
    await Promise.all([g.commit(item('first', 'same')), g.commit(item('second', 'same'))]);
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'sub', 'same'), 'utf8'), 'result of second');
    assert.ok((await store.get('p', 'first')) && (await store.get('p', 'second')));
  });

  test('a batch waits for an output lock held elsewhere, and emits lock-wait and committed for each file', async () => {
    const g = group({ busy: 0 });
    const a = item('a');
    const held = await locks.acquire(finalOf(a));
    const commit = g.commit(a);
    const committing = track(commit);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(committing.state, 'pending');
    assert.equal(fs.existsSync(finalOf(a)), false);
    held();
    await commit;
    assert.equal(fs.readFileSync(finalOf(a), 'utf8'), 'result of a');
    assert.equal(locks.size, 0, 'every lock released');
    assert.deepEqual(events.filter((e) => e.type === 'lock-wait' || e.type === 'committed').map((e) => e.type), ['lock-wait', 'committed']);
  });
});

describe('Durability', () => {
  test('tmpfs needs no flush; a local disk is flushed by syncfs only for a batch worth it', async (t) => {
    const dirs = new DirCache();
    const d = new Durability(dirs);
    if (fs.statfsSync('/dev/shm').type === 0x01021994) assert.equal(await d.method('/dev/shm/not/made/yet', 100), 'none');
    else t.diagnostic('/dev/shm is not a tmpfs here');
    const disk = fs.statfsSync(os.tmpdir()).type;
    if (disk === 0xef53) {
      assert.equal(await d.method(os.tmpdir(), 100), 'syncfs');
      assert.equal(await d.method(os.tmpdir(), 2), 'fsync', 'two files are cheaper to fsync');
    } else t.diagnostic(`os.tmpdir() is not ext4 (magic ${disk.toString(16)})`);
  });
});
