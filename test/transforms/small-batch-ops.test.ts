import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { disposeBatch, publishBatch, writeBatch } from '../../src/transforms/small-batch-ops.js';
import type { BatchItem, BatchReply, BatchStep } from '../../src/transforms/small-batch.js';
import { fingerprintOf } from '../../src/watch/settle.js';

// The worker-thread side of the batched small-file path, called directly (it is synchronous) on a real folder.

/** write then publish, as run-batch.ts does, publishing only what was written; the results merged per item. */
function commitBatch(r: { steps: BatchStep[]; items: BatchItem[]; maxBytes: number; sync: boolean }): BatchReply {
  const written = writeBatch({ kind: 'write', ...r });
  const ok = r.items.filter((_, n) => written.results[n]!.ok);
  const published = publishBatch({ kind: 'publish', items: ok, sync: r.sync }).results;
  let next = 0;
  return { results: written.results.map((w) => (w.ok ? published[next++]! : w)) };
}

describe('writeBatch, publishBatch and disposeBatch', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-batch-'));
    fs.mkdirSync(path.join(dir, 'in'));
    fs.mkdirSync(path.join(dir, 'out', '.tmp'), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const p = (...parts: string[]) => path.join(dir, ...parts);
  function item(name: string, data: Buffer | string, final = `out/sub/${name}.gz`): BatchItem {
    fs.writeFileSync(p('in', name), data);
    return { input: p('in', name), temp: p('out', '.tmp', `${name}.tmp`), final: p(final), fingerprint: fingerprintOf(fs.lstatSync(p('in', name))) };
  }

  test('publishes every good input and leaves out, with its reason, each one that changed, vanished, is too big or is invalid', () => {
    const good = [item('a', randomBytes(3000)), item('b', 'hello'), item('c', '')];
    const changed = item('changed', 'v1');
    fs.writeFileSync(changed.input, 'version two');
    const vanished = item('vanished', 'x');
    fs.rmSync(vanished.input);
    const big = item('big', randomBytes(5000));
    const items = [...good, changed, vanished, big];
    for (const sync of [true, false]) {
      const flush = `sync ${sync}`;
      const reply = commitBatch({ steps: [{ op: 'gzip', level: 6 }], items, maxBytes: 4096, sync });
      assert.deepEqual(reply.results.map((r) => r.ok), [true, true, true, false, false, false], flush);
      const errors = reply.results.map((r) => (r.ok ? null : r.tooBig ? 'too big' : r.error?.code));
      assert.deepEqual(errors.slice(3), ['INPUT_CHANGED', 'ENOENT', 'too big'], flush);
      for (const i of good) assert.ok(gunzipSync(fs.readFileSync(i.final)).equals(fs.readFileSync(i.input)));
      assert.deepEqual(fs.readdirSync(p('out', '.tmp')), [], 'no temp file is left');
      assert.deepEqual(fs.readdirSync(p('out', 'sub')).sort(), ['a.gz', 'b.gz', 'c.gz']);
    }
  });

  test('runs several steps in memory, one after the other, and reports a corrupt gzip with its zlib code', () => {
    const data = randomBytes(2000);
    const round = item('round', data, 'out/round');
    const corrupt = item('corrupt', 'not gzip at all', 'out/corrupt');
    const reply = commitBatch({ steps: [{ op: 'gzip', level: 1 }, { op: 'gunzip' }, { op: 'copy' }], items: [round], maxBytes: 1 << 18, sync: false });
    assert.equal(reply.results[0]!.ok, true);
    assert.ok(fs.readFileSync(round.final).equals(data));
    const bad = commitBatch({ steps: [{ op: 'gunzip' }], items: [corrupt], maxBytes: 1 << 18, sync: false });
    assert.equal(bad.results[0]!.ok, false);
    assert.equal(!bad.results[0]!.ok && bad.results[0]!.error?.code, 'Z_DATA_ERROR');
    assert.equal(fs.existsSync(corrupt.final), false);
  });

  test('a gunzip result over four times maxBytes is too big (stream it instead) and nothing is written', () => {
    const bomb = item('bomb', gzipSync(Buffer.alloc(100_000)), 'out/bomb');
    const reply = commitBatch({ steps: [{ op: 'gunzip' }], items: [bomb], maxBytes: 1000, sync: false });
    assert.deepEqual(reply.results[0], { ok: false, tooBig: true });
    assert.equal(fs.existsSync(bomb.final), false);
  });

  test('re-creates an output folder removed since it was made', () => {
    const first = item('one', 'first', 'out/gone/one');
    assert.equal(commitBatch({ steps: [{ op: 'copy' }], items: [first], maxBytes: 1 << 18, sync: true }).results[0]!.ok, true);
    fs.rmSync(p('out', 'gone'), { recursive: true });
    const second = item('two', 'second', 'out/gone/two');
    assert.equal(commitBatch({ steps: [{ op: 'copy' }], items: [second], maxBytes: 1 << 18, sync: true }).results[0]!.ok, true);
    assert.equal(fs.readFileSync(p('out', 'gone', 'two'), 'utf8'), 'second');
  });

  test('deletes and moves inputs; one already gone counts as done', () => {
    const a = item('a', 'A');
    const b = item('b', 'B');
    const reply = disposeBatch({
      kind: 'dispose', sync: true,
      moves: [{ from: a.input, to: null }, { from: b.input, to: p('archive', 'deep', 'b') }, { from: p('in', 'missing'), to: p('archive', 'm') }],
    });
    assert.deepEqual(reply.results.map((r) => r.ok), [true, true, true]);
    assert.deepEqual(fs.readdirSync(p('in')), []);
    assert.equal(fs.readFileSync(p('archive', 'deep', 'b'), 'utf8'), 'B');
  });
});
