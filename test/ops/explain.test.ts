import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, waitFor } from '../helpers/process.js';
import { cliJson } from './helpers.js';

// `sluice explain <path>`: which pipelines take an input (or which rule excludes it), its state, where it went; for an
// output, which input and pipeline version produced it.
describe('sluice explain', () => {
  let box: Sandbox;
  let config: string;
  beforeEach(() => {
    box = Sandbox.create();
    config = box.config({
      pipelines: [
        pipeline({
          input: { dir: './inbox', include: ['**/*.txt', '**/*.skip'], exclude: ['**/*.skip'], settleMs: 0 },
          output: { dir: './inbox/out' },
          onSuccess: { moveTo: './archive' }, onFailure: { moveTo: './failed' },
          stages: [shStage('case "$1" in *bad*) echo broken >&2; exit 3;; esac; cp "$1" "$2"')],
        }),
        pipeline({ name: 'csv', input: { dir: './inbox', include: ['**/*.csv'], settleMs: 0 }, output: { dir: './csv-out' } }),
      ],
    });
  });
  afterEach(async () => {
    await box.dispose();
  });

  const explain = (target: string) => cliJson(box, ['explain', target, '-c', config]);

  test('excluded paths name the rule: configured, built-in, include, auto-excluded output folder, outside', async () => {
    box.write('inbox/a.skip', 'x');
    const skip = await explain('inbox/a.skip');
    assert.equal(skip['path'], box.path('inbox/a.skip'));
    assert.deepEqual(skip['inputs'].map((i: any) => [i.pipeline, i.matches, i.excludedBy]),
      [['p', false, 'exclude **/*.skip'], ['csv', false, 'matches no include (**/*.csv)']]);
    assert.match((await explain('inbox/x.txt.part'))['inputs'][0].excludedBy, /built-in exclude \*\.part/);
    assert.match((await explain('inbox/.hidden'))['inputs'][0].excludedBy, /dotfiles/);
    assert.match((await explain('inbox/out/z.txt'))['inputs'][0].excludedBy, /out\/, a folder sluice writes to/);
    assert.match((await explain(box.path('elsewhere.txt')))['inputs'][0].excludedBy, /outside input.dir/);
    const human = await box.run(['explain', 'inbox/a.skip', '-c', config]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /pipeline p: not an input \(exclude \*\*\/\*\.skip\)/);
  });

  test('a new file matches; done, failed and output paths tell their story', async () => {
    box.write('inbox/good.txt', 'good');
    box.write('inbox/bad.txt', 'bad');
    box.write('inbox/t.csv', 'a,b');
    const fresh = await explain('inbox/good.txt');
    assert.deepEqual(fresh['inputs'][0], {
      pipeline: 'p', inputDir: box.path('inbox'), relPath: 'good.txt', matches: true, excludedBy: null, state: 'new',
      live: null, record: null, location: null, missingOutput: null, marker: null,
    });
    assert.equal((await box.run(['run', '-c', config])).code, 1);

    const done = (await explain('inbox/good.txt'))['inputs'][0];
    assert.equal(done.state, 'done');
    assert.equal(done.record.status, 'done');
    assert.deepEqual(done.record.outputs, [box.path('inbox/out/good.txt')]);
    assert.equal(done.record.currentVersion, true);
    assert.deepEqual(done.location, { path: box.path('archive/good.txt'), exists: true, sidecar: null });

    const bad = (await explain('inbox/bad.txt'))['inputs'][0];
    assert.equal(bad.state, 'failed');
    assert.equal(bad.record.attempts, 1);
    assert.equal(bad.record.stage, 'exec');
    assert.match(bad.record.error.message, /broken/);
    assert.deepEqual(bad.location, { path: box.path('failed/bad.txt'), exists: true, sidecar: box.path('failed/bad.txt.error.json') });

    const csv = await explain('inbox/t.csv');
    assert.deepEqual(csv['inputs'].map((i: any) => [i.pipeline, i.state]), [['p', null], ['csv', 'unchanged']]);

    const output = await explain('inbox/out/good.txt');
    assert.equal(output['outputOf'].length, 1);
    assert.deepEqual({ ...output['outputOf'][0], at: undefined, version: undefined }, {
      pipeline: 'p', relPath: 'good.txt', input: box.path('inbox/good.txt'), currentVersion: true, at: undefined, version: undefined,
    });
    assert.match(output['outputOf'][0].version, /^[0-9a-f]+$/);

    const quarantined = await explain('failed/bad.txt');
    assert.deepEqual(quarantined['moved'].map((m: any) => [m.pipeline, m.as, m.input, m.sidecar]),
      [['p', 'quarantined', box.path('inbox/bad.txt'), box.path('failed/bad.txt.error.json')]]);
    const archived = await explain('archive/good.txt');
    assert.deepEqual(archived['moved'].map((m: any) => [m.as, m.record.status]), [['archived', 'done']]);

    const human = await box.run(['explain', 'inbox/bad.txt', '-c', config]);
    assert.match(human.stdout, /state: failed at .* after 1 attempt\(s\) in stage exec/);
    assert.match(human.stdout, /input moved to .*failed\/bad\.txt, sidecar .*bad\.txt\.error\.json/);
    assert.match((await box.run(['explain', 'inbox/out/good.txt', '-c', config])).stdout, /output of pipeline p .*from .*inbox\/good\.txt/);

    box.write('inbox/good.txt', 'good, again');
    assert.equal((await explain('inbox/good.txt'))['inputs'][0].state, 'changed');
  });

  test('with a daemon running: queued at a position, in a stage for a while', async () => {
    box.write('hold.flag', '');
    const held = box.config({
      pipelines: [pipeline({ stages: [shStage('while [ -e hold.flag ]; do sleep 0.05; done; cp "$1" "$2"', { concurrency: 1 })] })],
    }, 'held.json');
    const sluice = box.start(['watch', '-c', held, ...debugJson]);
    await sluice.ready();
    for (let i = 0; i < 6; i++) box.write(`inbox/f${i}.txt`, String(i));
    // 4 jobs past the queue (the dispatcher's slots), 2 queued.
    await waitFor('two files queued', () => sluice.logs.filter((l) => l.message === 'queued').length === 6 && sluice.logs.filter((l) => l.message === 'started').length === 4, { timeoutMs: 30_000 });
    const started = new Set(sluice.logs.filter((l) => l.message === 'started').map((l) => l.path));
    const queued = [0, 1, 2, 3, 4, 5].map((i) => `f${i}.txt`).filter((f) => !started.has(f));
    const positions = [];
    for (const f of queued) {
      const e = await cliJson(box, ['explain', `inbox/${f}`, '-c', held]);
      assert.equal(e['daemon'], true);
      assert.equal(e['inputs'][0].state, 'queued');
      positions.push(e['inputs'][0].live.position);
    }
    assert.deepEqual(positions.sort(), [1, 2]);
    const running = await cliJson(box, ['explain', `inbox/${[...started][0]}`, '-c', held]);
    assert.equal(running['inputs'][0].state, 'running');
    assert.equal(running['inputs'][0].live.stage, 'exec');
    assert.equal(running['inputs'][0].live.attempt, 1);
    const human = await box.run(['explain', `inbox/${queued[0]}`, '-c', held]);
    assert.match(human.stdout, /state: queued at position [12] since /);
    box.rm('hold.flag');
  });
});
