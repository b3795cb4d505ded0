import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, runJson, Sandbox, waitFor, writeConfig } from '../helpers/cli.js';

/** Runs of one repeated character, in order: "aaabb" → [['a', 3], ['b', 2]]. */
function runsOf(text: string): [string, number][] {
  return [...text.matchAll(/(.)\1*/gs)].map((m) => [m[1]!, m[0].length]);
}

describe('sluice run: partial writes and output locking', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('a file still being appended to is processed only once it stops changing (settleMs), complete', async () => {
    const file = box.path('inbox/growing.log');
    fs.mkdirSync(box.path('inbox'));
    writeConfig(box, { pipelines: [pipeline({ input: { dir: './inbox', settleMs: 700 } })] });
    // 40 chunks, one every 30 ms: never quiet for anywhere near settleMs until it is done.
    const script = `const fs = require('fs'); let i = 0;
      const t = setInterval(() => { fs.appendFileSync(process.argv[1], 'chunk ' + String(i).padStart(3, '0') + '\\n');
        if (++i === 40) clearInterval(t); }, 30);`;
    const writer = spawn(process.execPath, ['-e', script, file], { stdio: 'ignore' });
    const writerDone = new Promise((resolve) => writer.once('exit', resolve));
    try {
      await waitFor('the writer to start', () => fs.existsSync(file) && fs.statSync(file).size > 0);
      const run = runJson(box, ['--log-level', 'debug', '--log-format', 'json']);
      await writerDone;
      const { code, report, stderr } = await run;
      assert.equal(code, 0, stderr);
      assert.match(stderr, /settling/, 'the run saw the file while it was still changing');
      assert.equal(report.processed, 1);
      const expected = Array.from({ length: 40 }, (_, i) => `chunk ${String(i).padStart(3, '0')}\n`).join('');
      assert.equal(box.read('inbox/growing.log')!.toString(), expected);
      assert.equal(box.read('outbox/growing.log')!.toString(), expected, 'the output holds every chunk');
    } finally {
      writer.kill('SIGKILL');
    }
  });

  test('append: many inputs into one output, every block present once and never interleaved', async () => {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
    const size = 64 * 1024;
    for (const c of chars) box.write(`inbox/${c}.txt`, c.repeat(size));
    box.write('outbox/all.txt', '#');
    writeConfig(box, {
      pipelines: [pipeline({
        output: { dir: './outbox', path: 'all.txt', mode: 'append' },
        stages: [{ use: 'copy', concurrency: 8 }, { use: 'copy', concurrency: 8 }],
      })],
    });
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    assert.equal(report.processed, chars.length);
    for (const f of report.files) assert.deepEqual(f.outputs, [box.path('outbox/all.txt')]);
    const out = box.read('outbox/all.txt')!.toString();
    assert.equal(out[0], '#', 'what was there before is kept, at the start');
    const runs = runsOf(out.slice(1));
    assert.equal(runs.length, chars.length, 'one contiguous block per input');
    assert.deepEqual(runs.map(([c]) => c).sort(), [...chars].sort(), 'each input exactly once');
    for (const [c, n] of runs) assert.equal(n, size, `block ${c} is whole`);
    // Up to date now: a second run appends nothing.
    assert.equal((await runJson(box)).report.unchanged, chars.length);
    assert.equal(box.read('outbox/all.txt')!.length, 1 + chars.length * size);
    assert.deepEqual(box.files('outbox'), ['all.txt'], 'no temp files left');
  });

  test('two inputs mapped to one replace output commit one after the other: the output is one of them, whole', async () => {
    const size = 1024 * 1024;
    box.write('inbox/a.txt', 'A'.repeat(size));
    box.write('inbox/b.txt', 'B'.repeat(size));
    box.write('inbox/c.txt', 'C'.repeat(size));
    writeConfig(box, {
      pipelines: [pipeline({ output: { dir: './outbox', path: 'one.txt' }, stages: [{ use: 'copy', concurrency: 3 }] })],
    });
    const { code, report } = await runJson(box);
    assert.equal(code, 0);
    assert.equal(report.processed, 3);
    const out = box.read('outbox/one.txt')!.toString();
    assert.equal(out.length, size);
    assert.deepEqual(runsOf(out).length, 1, 'the output is exactly one input');
    assert.ok(['A', 'B', 'C'].includes(out[0]!));
    assert.deepEqual(box.files('outbox'), ['one.txt']);
  });
});

describe('sluice run: multi-stage pipelines across the small-file limit', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('gzip then gunzip gives back every input byte for byte, small (worker thread) and large (streamed), no temp left', async () => {
    const sizes = [0, 1, 4096, 256 * 1024, 256 * 1024 + 1, 3 * 1024 * 1024];
    const inputs = sizes.map((size, i) => [`f${i}.bin`, randomBytes(size)] as const);
    for (const [name, data] of inputs) box.write(`inbox/${name}`, data);
    writeConfig(box, { pipelines: [pipeline({ stages: [{ use: 'gzip', with: { level: 1 } }, { use: 'gunzip' }, { use: 'copy' }] })] });
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    assert.equal(report.processed, inputs.length);
    for (const [name, data] of inputs) assert.ok(box.read(`outbox/${name}`)!.equals(data), `${name} (${data.length} bytes)`);
    assert.deepEqual(box.files('outbox/.sluice-tmp'), [], 'temp files left behind');
  });
});
