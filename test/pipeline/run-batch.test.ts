import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/load.js';
import { KeyedLock } from '../../src/core/keyed-lock.js';
import { Semaphore } from '../../src/core/semaphore.js';
import { EventBus, type EngineEvent } from '../../src/observability/events.js';
import { Durability } from '../../src/pipeline/durability.js';
import { DirCache } from '../../src/pipeline/files.js';
import { GroupCommit } from '../../src/pipeline/group-commit.js';
import type { Job } from '../../src/pipeline/job.js';
import { batchSteps, runBatch, type BatchContext } from '../../src/pipeline/run-batch.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import type { FileRecord } from '../../src/state/store.js';
import { fingerprintOf } from '../../src/watch/settle.js';
import { waitFor } from '../helpers/process.js';

/** A real in-memory store that counts its record transactions. */
class CountingStore extends MemoryStore {
  groups: number[] = [];
  override async putAll(records: readonly FileRecord[]): Promise<void> {
    this.groups.push(records.length);
    await super.putAll(records);
  }
}

describe('runBatch (the batched small-file path)', () => {
  let dir: string;
  let abort: AbortController;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-run-batch-'));
    abort = new AbortController();
  });
  afterEach(() => {
    abort.abort();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(names: string[]) {
    fs.mkdirSync(path.join(dir, 'in'));
    fs.writeFileSync(path.join(dir, 'sluice.json'), JSON.stringify({
      stateDir: './state',
      pipelines: [{ name: 'p', input: { dir: './in', settleMs: 0 }, output: { dir: './out', path: '{relDir}/{base}.gz' }, onSuccess: 'delete', stages: [{ use: 'gzip' }] }],
    }));
    const config = await loadConfig({ config: 'sluice.json', cwd: dir });
    const pipeline = config.pipelines[0]!;
    const jobs: Job[] = names.map((name) => {
      const absPath = path.join(dir, 'in', name);
      fs.writeFileSync(absPath, `content of ${name}`);
      return { kind: 'process', pipeline, relPath: name, absPath, fingerprint: fingerprintOf(fs.lstatSync(absPath)), queuedAt: Date.now() };
    });
    const store = new CountingStore();
    const locks = new KeyedLock<string>();
    const events: EngineEvent[] = [];
    const bus = new EventBus();
    bus.on((e) => events.push(e));
    const dirs = new DirCache();
    const durability = new Durability(dirs);
    const log = { debug() {}, info() {}, warn() {} };
    const ctx: BatchContext = {
      store, events: bus, locks, dirs, pools: pipeline.stages.map((s) => new Semaphore(s.concurrency)), signal: abort.signal, log,
      group: new GroupCommit({ store, locks, dirs, durability, events: bus, signal: abort.signal, busy: () => 0 }),
      committing: new Semaphore(16), durability, steps: batchSteps(pipeline)!,
    };
    return { jobs, ctx, store, locks, events, out: path.join(dir, 'out') };
  }

  test('publishes a batch with one record transaction; a file whose output lock is held goes the general way, after the lock', async () => {
    const { jobs, ctx, store, locks, events, out } = await setUp(['a.txt', 'b.txt', 'c.txt']);
    const held = await locks.acquire(path.join(out, 'b.txt.gz'));
    const running = runBatch(jobs, ctx);
    // The batch's first request starts the worker threads: about 100 ms on Node 20, 150–250 on Node 24.
    await waitFor('the others published', () => fs.existsSync(path.join(out, 'a.txt.gz')) && fs.existsSync(path.join(out, 'c.txt.gz')));
    assert.equal(fs.existsSync(path.join(out, 'b.txt.gz')), false, 'not while its lock is held elsewhere');
    held();
    const outcomes = await running;
    assert.deepEqual(outcomes.map((o) => o.type), ['processed', 'processed', 'processed']);
    assert.deepEqual(store.groups, [2, 1], 'a and c in one transaction, b in the group commit after');
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      assert.equal(gunzipSync(fs.readFileSync(path.join(out, `${name}.gz`))).toString(), `content of ${name}`);
      assert.equal((await store.get('p', name))?.disposed, true, `${name} deleted and recorded so`);
    }
    assert.deepEqual(fs.readdirSync(path.join(dir, 'in')), []);
    assert.equal(locks.size, 0);
    const started = events.filter((e) => e.type === 'started').map((e) => 'path' in e && e.path);
    assert.deepEqual(started.sort(), ['a.txt', 'b.txt', 'c.txt'], 'each file started once');
  });

  test('an input changed after admission is not published by the batch; the general path sees the change', async () => {
    const { jobs, ctx, store, out } = await setUp(['a.txt', 'b.txt']);
    fs.writeFileSync(jobs[1]!.absPath, 'a newer, longer version of b');
    const outcomes = await runBatch(jobs, ctx);
    assert.deepEqual(outcomes.map((o) => o.type), ['processed', 'changed']);
    assert.equal(fs.existsSync(path.join(out, 'b.txt.gz')), false);
    assert.equal(await store.get('p', 'b.txt'), undefined);
    assert.ok(fs.existsSync(jobs[1]!.absPath), 'the changed input is kept');
  });
});
