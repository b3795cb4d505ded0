import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, pipeline, runJson, Sandbox, writeConfig } from '../helpers/cli.js';

describe('output.conflict: an output path that exists and this input did not write', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const config = (conflict?: string) =>
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', ...(conflict ? { conflict } : {}) } })] });

  test('replace (the default) writes over it', async () => {
    box.write('outbox/a.txt', 'theirs');
    box.write('inbox/a.txt', 'ours');
    config();
    const { report } = await runJson(box);
    assert.equal(fileIn(report, 'a.txt').outcome, 'processed');
    assert.equal(box.read('outbox/a.txt')?.toString(), 'ours');
  });

  test('keep leaves it, counts the input processed with "skipped": "output exists", and does not redo it', async () => {
    box.write('outbox/a.txt', 'theirs');
    box.write('inbox/a.txt', 'ours');
    box.write('inbox/b.txt', 'b');
    config('keep');
    const { code, report } = await runJson(box);
    assert.equal(code, 0);
    const a = fileIn(report, 'a.txt');
    assert.equal(a.outcome, 'processed');
    assert.equal((a as { skipped?: string }).skipped, 'output exists');
    assert.deepEqual(a.outputs, [], 'it wrote nothing');
    assert.equal((fileIn(report, 'b.txt') as { skipped?: string }).skipped, undefined);
    assert.equal(box.read('outbox/a.txt')?.toString(), 'theirs');
    assert.deepEqual(box.files('outbox'), ['a.txt', 'b.txt'], 'no temp left');
    assert.equal(fileIn((await runJson(box)).report, 'a.txt').outcome, 'unchanged');
  });

  test('fail is the permanent error OUTPUT_EXISTS, quarantined like any failure', async () => {
    box.write('outbox/a.txt', 'theirs');
    box.write('inbox/a.txt', 'ours');
    writeConfig(box, {
      pipelines: [pipeline({ output: { dir: './outbox', conflict: 'fail' }, onFailure: { moveTo: './failed' }, retry: { attempts: 3, backoffMs: 5 } })],
    });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    assert.equal(fileIn(report, 'a.txt').error?.code, 'OUTPUT_EXISTS');
    assert.equal(box.read('outbox/a.txt')?.toString(), 'theirs');
    assert.deepEqual(box.files('failed'), ['a.txt', 'a.txt.error.json']);
    const sidecar = JSON.parse(box.read('failed/a.txt.error.json')!.toString()) as { attempts: number };
    assert.equal(sidecar.attempts, 1);
  });

  test('rename commits as "name (n).ext", the first free one; what this input wrote before is replaced, not renamed again', async () => {
    box.write('outbox/a.txt', 'theirs');
    box.write('outbox/a (2).txt', 'theirs too');
    box.write('inbox/a.txt', 'v1');
    config('rename');
    const first = await runJson(box);
    assert.deepEqual(fileIn(first.report, 'a.txt').outputs, [box.path('outbox/a (3).txt')]);
    assert.equal(box.read('outbox/a (3).txt')?.toString(), 'v1');
    box.write('inbox/a.txt', 'v2, longer');
    const second = await runJson(box);
    assert.deepEqual(fileIn(second.report, 'a.txt').outputs, [box.path('outbox/a (3).txt')]);
    assert.equal(box.read('outbox/a (3).txt')?.toString(), 'v2, longer');
    assert.deepEqual(box.files('outbox'), ['a (2).txt', 'a (3).txt', 'a.txt']);
    assert.equal(box.read('outbox/a.txt')?.toString(), 'theirs');
  });

  test('an output this input produced before is always replaced, whatever the policy', async () => {
    for (const conflict of ['keep', 'fail', 'rename']) {
      box.rm('outbox');
      box.rm('.sluice');
      box.write('inbox/a.txt', 'v1');
      config(conflict);
      assert.equal((await runJson(box)).code, 0);
      box.write('inbox/a.txt', `v2 ${conflict}`);
      const { code, report } = await runJson(box);
      assert.equal(code, 0, conflict);
      assert.equal(fileIn(report, 'a.txt').outcome, 'processed');
      assert.deepEqual(box.files('outbox'), ['a.txt'], conflict);
      assert.equal(box.read('outbox/a.txt')?.toString(), `v2 ${conflict}`);
    }
  });

  test('two inputs rendering to one path under rename: the second gets "(2)"', async () => {
    box.write('inbox/x/a.txt', 'from x');
    box.write('inbox/y/a.txt', 'from y');
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', path: '{base}', conflict: 'rename' } })] });
    const { code } = await runJson(box);
    assert.equal(code, 0);
    assert.deepEqual(box.files('outbox'), ['a (2).txt', 'a.txt']);
    const contents = ['a.txt', 'a (2).txt'].map((f) => box.read(`outbox/${f}`)?.toString()).sort();
    assert.deepEqual(contents, ['from x', 'from y']);
  });
});
