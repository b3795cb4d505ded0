import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, waitFor } from '../helpers/process.js';
import { cliJson } from './helpers.js';

// `sluice status`: the running daemon's live figures over the control socket, or the state store's records.
describe('sluice status', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  // One worker, held while hold.flag exists: jobs pile up in flight and in the queue.
  const held = () => shStage('while [ -e hold.flag ]; do sleep 0.05; done; cp "$1" "$2"', { concurrency: 1 });

  test('without a daemon: the store counts, running false, exit 0 (before any state exists too)', async () => {
    const config = box.config({ pipelines: [pipeline({ stages: [shStage('case "$1" in *bad*) exit 3;; esac; cp "$1" "$2"')] })] });
    const empty = await cliJson(box, ['status', '-c', config]);
    assert.deepEqual(empty, { running: false, stateDir: box.path('.sluice'), config, pipelines: [{ name: 'p', done: 0, processed: 0, failed: 0 }] });
    assert.equal(fs.existsSync(box.path('.sluice')), false, 'status creates nothing');

    box.write('inbox/a.txt', 'a');
    box.write('inbox/b.txt', 'b');
    box.write('inbox/bad.txt', 'x');
    assert.equal((await box.run(['run', '-c', config])).code, 1);
    const after = await cliJson(box, ['status', '-c', config]);
    assert.equal(after['running'], false);
    assert.deepEqual(after['pipelines'], [{ name: 'p', done: 2, processed: 2, failed: 1 }]);

    const human = await box.run(['status', '-c', config]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /not running/);
    assert.match(human.stdout, /^p\s+2\s+1$/m);
  });

  test('a bad config exits 2', async () => {
    const config = box.config({ pipelines: [{ name: 'BAD', stages: [] }] });
    const result = await box.run(['status', '--json', '-c', config]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
  });

  test('against a running daemon: queue, jobs in flight with their stage, pending, then the counts after the work', async () => {
    box.write('hold.flag', '');
    const config = box.config({ queue: { capacity: 50 }, pipelines: [pipeline({ stages: [held()] }), pipeline({ name: 'q', input: { dir: './in2', settleMs: 0 } })] });
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    const mode = fs.statSync(box.path('.sluice/control.sock')).mode;
    assert.ok(fs.statSync(box.path('.sluice/control.sock')).isSocket());
    assert.equal(mode & 0o777, 0o600, 'the control socket is private');
    for (let i = 0; i < 7; i++) box.write(`inbox/f${i}.txt`, `file ${i}`);

    // slots = max(4, 2 × 1 worker) = 4 jobs past the queue; the other 3 wait in it.
    const busy = await waitFor('4 jobs in flight and 3 queued', async () => {
      const s = await cliJson(box, ['status', '-c', config]);
      return s['inFlight'].length === 4 && s['queue'].depth === 3 ? s : null;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    assert.equal(busy['running'], true);
    assert.equal(busy['pid'], sluice.pid);
    assert.equal(busy['state'], 'running');
    assert.ok(busy['uptimeMs'] >= 0 && typeof busy['uptime'] === 'number');
    assert.deepEqual(busy['queue'], { depth: 3, capacity: 100 });
    assert.ok(busy['oldestPendingAgeMs'] >= 0);
    for (const job of busy['inFlight']) {
      assert.equal(job.pipeline, 'p');
      assert.equal(job.stage, 'exec');
      assert.equal(job.attempt, 1);
      assert.match(job.path, /^f\d\.txt$/);
      assert.ok(job.ageMs >= 0);
    }
    const working = await waitFor('the one worker to have started its job', async () => {
      const s = await cliJson(box, ['status', '-c', config]);
      return s['inFlight'].filter((j: { waiting: boolean }) => !j.waiting).length === 1 ? s : null;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    assert.equal(working['inFlight'].filter((j: { waiting: boolean }) => j.waiting).length, 3, 'the others wait for the worker');
    const p = busy['pipelines'].find((x: { name: string }) => x.name === 'p');
    assert.deepEqual({ ...p, failedBefore: undefined }, {
      name: 'p', processed: 0, unchanged: 0, failed: 0, failedBefore: undefined, pending: 3, inFlight: 4, queue: { depth: 3, capacity: 50 },
    });
    const human = await box.run(['status', '-c', config]);
    assert.match(human.stdout, new RegExp(`running: pid ${sluice.pid}`));
    assert.match(human.stdout, /^p\s+0\s+0\s+0\s+3\s+4\s+3\/50$/m);

    box.rm('hold.flag');
    const done = await waitFor('every file processed', async () => {
      const s = await cliJson(box, ['status', '-c', config]);
      return s['pipelines'][0].processed === 7 ? s : null;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    assert.deepEqual(done['inFlight'], []);
    assert.equal(done['queue'].depth, 0);
    assert.equal(done['oldestPendingAgeMs'], null);
    assert.deepEqual(done['pipelines'].map((x: { name: string; processed: number; pending: number }) => [x.name, x.processed, x.pending]), [['p', 7, 0], ['q', 0, 0]]);

    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
    assert.equal(fs.existsSync(box.path('.sluice/control.sock')), false, 'the socket is removed on close');
    const stored = await cliJson(box, ['status', '-c', config]);
    assert.equal(stored['running'], false);
    assert.deepEqual(stored['pipelines'][0], { name: 'p', done: 7, processed: 7, failed: 0 });
  });

  test('a socket left by a killed daemon reads as not running, and the next daemon replaces it', async () => {
    const config = box.config({ pipelines: [pipeline()] });
    const first = box.start(['watch', '-c', config]);
    await first.ready();
    await first.destroy();
    assert.ok(fs.existsSync(box.path('.sluice/control.sock')), 'SIGKILL leaves the socket behind');
    assert.equal((await cliJson(box, ['status', '-c', config]))['running'], false);

    const second = box.start(['watch', '-c', config]);
    await second.ready();
    const s = await cliJson(box, ['status', '-c', config]);
    assert.equal(s['running'], true);
    assert.equal(s['pid'], second.pid);
  });

  test('a second daemon refused by the instance lock leaves the first one\'s socket alone', async () => {
    const config = box.config({ pipelines: [pipeline()] });
    const first = box.start(['watch', '-c', config]);
    await first.ready();
    assert.equal((await box.run(['watch', '-c', config])).code, 3);
    const s = await cliJson(box, ['status', '-c', config]);
    assert.equal(s['pid'], first.pid);
  });
});
