import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { hasStackTrace, pipeline, runJson, Sandbox, waitFor, writeConfig } from '../helpers/cli.js';

/** Every folder and file below the sandbox, files with size and mtime: a snapshot to prove nothing changed. */
function snapshot(box: Sandbox): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(box.path(rel), { withFileTypes: true })) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      const stat = fs.statSync(box.path(child));
      out[child] = e.isDirectory() ? 'folder' : `${stat.size} bytes, mtime ${stat.mtimeMs}`;
      if (e.isDirectory()) walk(child);
    }
  };
  walk('');
  return out;
}

interface Planned {
  pipeline: string;
  path: string;
  action: string;
  output: string | null;
  onSuccess: string;
}

describe('sluice run --dry-run', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('lists what would be processed, where outputs and inputs would go, and changes nothing', async () => {
    box.write('inbox/a.txt', 'a');
    box.write('inbox/sub/b.txt', 'b');
    const before = snapshot(box);
    // The built-in default: gzip into ./outbox, move inputs to ./archive.
    const r = await box.run(['run', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    for (const expected of ['a.txt', 'sub/b.txt', box.path('outbox/a.txt.gz'), box.path('outbox/sub/b.txt.gz'),
      box.path('archive/sub/b.txt')]) {
      assert.ok(r.stdout.includes(expected), `stdout does not mention ${expected}:\n${r.stdout}`);
    }
    assert.deepEqual(snapshot(box), before, 'no outbox, archive or state folder; inputs untouched');
    for (const dir of ['outbox', 'archive', 'failed', '.sluice']) assert.equal(fs.existsSync(box.path(dir)), false, dir);
  });

  test('--json: one object listing each file and its action; an up-to-date file is not re-planned', async () => {
    box.write('inbox/a.txt', 'a');
    writeConfig(box, { pipelines: [pipeline()] });
    const plan = async () => {
      const r = await box.run(['run', '--dry-run', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { files: Planned[] }).files;
    };
    assert.deepEqual(await plan(), [
      { pipeline: 'p', path: 'a.txt', action: 'process', output: box.path('outbox/a.txt'), onSuccess: 'keep' },
    ]);
    assert.equal((await runJson(box)).report.processed, 1);
    box.write('inbox/new.txt', 'n');
    const before = snapshot(box);
    const planned = await plan();
    assert.deepEqual(planned.map((f) => [f.path, f.action]).sort(), [['a.txt', 'unchanged'], ['new.txt', 'process']]);
    assert.deepEqual(snapshot(box), before, 'the state store and outputs are untouched');
  });

  test('in an empty folder with the built-in default it creates nothing at all', async () => {
    const r = await box.run(['run', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(box.dir), []);
  });
});

describe('sluice run: single instance and interruption', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('a second instance on the same state directory exits 3 naming the holder pid; a killed holder is recovered', async () => {
    writeConfig(box, { pipelines: [pipeline()] });
    box.write('inbox/a.txt', 'a');
    const holder = box.start(['watch']);
    await holder.ready();
    for (const args of [['run'], ['run', '--json'], ['watch']]) {
      const r = await box.run(args);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(String(holder.pid)), `the holder pid ${holder.pid} is named:\n${r.stderr}`);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      assert.equal(r.stdout, '');
    }
    await waitFor('the holder to process a.txt', () => /processed/.test(holder.stderr));
    holder.kill('SIGKILL');
    await holder.waitForExit();
    const after = await runJson(box);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.report.unchanged, 1, 'the holder had processed a.txt before it was killed');
  });

  test('SIGINT during a slow transform: exit 130, no partial output, the input still in place', async () => {
    box.write('inbox/a.txt', 'payload');
    // Writes half an output, says it started (with its pid), then hangs.
    box.write('slow.cjs', `const fs = require('fs');
fs.writeFileSync(process.argv[3], 'partial');
fs.writeFileSync(process.argv[4], String(process.pid));
setInterval(() => {}, 1000);
`);
    writeConfig(box, {
      pipelines: [pipeline({
        onSuccess: { moveTo: './archive' }, onFailure: { moveTo: './failed' },
        stages: [{ use: 'exec', with: { command: [process.execPath, box.path('slow.cjs'), '{in}', '{out}', box.path('started')] } }],
      })],
    });
    const run = box.start(['run', '--json']);
    const childPid = Number(await waitFor('the transform to start', () => box.read('started')?.toString()));
    run.kill('SIGINT');
    const exit = await run.waitForExit();
    assert.deepEqual(exit, { code: 130, signal: null }, run.stderr);
    assert.ok(!hasStackTrace(run.stderr), run.stderr);
    assert.equal(box.read('inbox/a.txt')?.toString(), 'payload');
    assert.deepEqual(box.files('outbox'), [], 'no output, no temp file');
    assert.equal(fs.existsSync(box.path('archive')), false);
    assert.equal(fs.existsSync(box.path('failed')), false);
    await waitFor('the transform process to be gone', () => {
      try {
        process.kill(childPid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });
});
