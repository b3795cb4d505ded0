import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, runJson, Sandbox, writeConfig } from '../helpers/cli.js';
import { pagesStage as pages } from '../helpers/folder-stages.js';

/** Each crash step of a folder-output commit with a completion marker (after-dispose needs a disposition to reach). */
const steps = ['after-temp-write', 'after-fsync', 'after-marker-removed', 'after-rename', 'after-record', 'after-stale-removed', 'after-marker', 'after-dispose'] as const;

// SIGKILL at each step of the commit of a folder output that replaces an earlier, bigger result (so stale files go)
// and owns a completion marker, then a clean run: the folder ends exactly as one clean commit leaves it.
describe('folder outputs and markers: SIGKILL at each commit step, then a restart converges', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const v1 = { 'a.txt': '3\nv1\n', 'docs/b.txt': '2\nv1\n' };
  const v2 = { 'a.txt': '2\nv2\n', 'docs/b.txt': '1\nv2\n' };
  const clean = [
    'a/_SUCCESS', 'a/page-1.txt', 'a/page-2.txt', 'a/sub/extra.txt', 'docs/b/_SUCCESS', 'docs/b/page-1.txt', 'docs/b/sub/extra.txt',
  ];

  function writeInputs(contents: Record<string, string>): void {
    for (const [name, text] of Object.entries(contents)) box.write(`inbox/${name}`, text);
  }

  for (const step of steps) {
    test(`SIGKILL ${step}`, async () => {
      const move = step === 'after-dispose';
      writeConfig(box, {
        pipelines: [pipeline({
          output: { dir: './outbox', path: '{relDir}/{name}/', marker: '{relDir}/{name}/_SUCCESS' }, stages: [pages],
          ...(move ? { onSuccess: { moveTo: './archive' } } : {}),
        })],
      });
      writeInputs(v1);
      assert.equal((await runJson(box)).code, 0);
      assert.ok(box.exists('outbox/a/page-3.txt') && box.exists('outbox/a/_SUCCESS'));
      writeInputs(v2);

      const crashed = await box.run(['run'], 30_000, { env: { SLUICE_FAULT: step } });
      assert.equal(crashed.signal, 'SIGKILL', `the fault hook fired at ${step}:\n${crashed.stderr}`);
      if (step === 'after-marker-removed' || step === 'after-rename' || step === 'after-record') {
        assert.ok(!box.exists('outbox/a/_SUCCESS') || !box.exists('outbox/docs/b/_SUCCESS'), 'a marker is gone while outputs change');
      }

      const again = await runJson(box);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(box.files('outbox'), clean, 'exactly what one clean commit leaves, no temp');
      assert.equal(box.exists('outbox/a/page-3.txt'), false);
      for (const f of clean.filter((c) => c.endsWith('.txt'))) assert.match(box.read(`outbox/${f}`)!.toString(), /^v2/, f);
      assert.deepEqual(box.files(move ? 'archive' : 'inbox'), ['a.txt', 'docs/b.txt']);
      const third = await runJson(box);
      assert.equal(third.report.processed, 0, 'nothing left to do');
      assert.deepEqual(box.files('outbox'), clean);
    });
  }
});
