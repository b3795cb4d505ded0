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

/**
 * Input "N\ntag\n" (or "fail"): `part-1` at the top of the result folder and `rest/part-2 … part-N` below it, each
 * "<tag> i"; "fail" exits 3, a permanent failure.
 */
const split = {
  use: 'exec',
  with: {
    permanentExitCodes: [3],
    command: ['/bin/sh', '-c', [
      '[ "$(head -n1 "$1")" = fail ] && exit 3',
      'n=$(head -n1 "$1"); tag=$(sed -n 2p "$1"); echo "$tag 1" > "$2/part-1"; i=2',
      'while [ "$i" -le "$n" ]; do mkdir -p "$2/rest"; echo "$tag $i" > "$2/rest/part-$i"; i=$((i+1)); done',
    ].join('\n'), 'sh', '{in}', '{outDir}'],
  },
};

describe('a folder output redone after an interrupted or failed version holds exactly the newest version', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
    writeConfig(box, {
      pipelines: [pipeline({ output: { dir: './outbox', path: '{name}/', marker: '{name}/_SUCCESS' }, stages: [split] })],
    });
  });
  afterEach(async () => {
    await box.dispose();
  });

  const version = async (text: string, fault?: string) => {
    box.write('inbox/a.txt', text);
    return fault ? box.run(['run'], 30_000, { env: { SLUICE_FAULT: fault } }) : runJson(box);
  };
  const exactly = (n: number, tag: string) => ['a/_SUCCESS', 'a/part-1', ...Array.from({ length: n - 1 }, (_, i) => `a/rest/part-${i + 2}`)]
    .sort().map((f) => [f, f.endsWith('_SUCCESS') ? '' : `${tag} ${f.match(/part-(\d+)/)![1]}\n`]);
  const contents = () => box.files('outbox').map((f) => [`${f}`, box.read(`outbox/${f}`)!.toString()]);

  for (const fault of ['after-record', 'after-stale-removed']) {
    test(`a crash ${fault} while a smaller version empties rest/: the restart removes it and writes the marker`, async () => {
      assert.equal((await version('3\nv1\n')).code, 0);
      assert.equal((await version('1\nv2\n', fault)).signal, 'SIGKILL');
      const again = await runJson(box);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(contents(), exactly(1, 'v2'));
      assert.equal(box.exists('outbox/a/rest'), false);
      assert.equal((await runJson(box)).report.unchanged, 1);
    });
  }

  test('a crash after-rename of a bigger version, then a smaller one: none of the interrupted version\'s files stay', async () => {
    assert.equal((await version('1\nv1\n')).code, 0);
    assert.equal((await version('6\nv2\n', 'after-rename')).signal, 'SIGKILL');
    assert.equal((await version('2\nv3\n')).code, 0);
    assert.deepEqual(contents(), exactly(2, 'v3'));
  });

  test('a version that fails in between: the next success removes what the last success left and it does not make', async () => {
    assert.equal((await version('6\nv1\n')).code, 0);
    assert.equal((await version('fail\n')).code, 1);
    assert.deepEqual(box.files('outbox').length, 7, "the failure leaves v1's outputs (and marker) as they were");
    assert.equal((await version('2\nv3\n')).code, 0);
    assert.deepEqual(contents(), exactly(2, 'v3'));
  });
});
