import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox, waitFor } from '../helpers/process.js';

// File names a shell would mangle go through watch mode intact: exec runs argv without a shell, and outputs, archive
// and sidecars keep the exact relative path.
describe('sluice watch: hostile file names', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const names = [
    'with space.txt', 'ünïcødé ✓.txt', '-leading-dash.txt', '--help', '$(touch pwned).txt', '`touch pwned2`.txt',
    `quote's "double".txt`, 'new\nline.txt', 'semi;colon&amp|pipe.txt', 'sub dir/-x/$HOME.txt', 'back\\slash.txt',
  ];

  test('exec and dispositions handle spaces, unicode, leading dashes, $(…), quotes and newlines', async () => {
    const config = box.config({
      pipelines: [pipeline({
        onSuccess: { moveTo: './archive' },
        stages: [{ use: 'exec', with: { command: ['cp', '{in}', '{out}'] } }],
      })],
    });
    for (const name of names.slice(0, 5)) box.write(`inbox/${name}`, `content of ${name}`);
    const sluice = box.start(['watch', '-c', config]);
    await sluice.ready();
    for (const name of names.slice(5)) box.write(`inbox/${name}`, `content of ${name}`);
    await waitFor('every file archived', () => names.every((n) => box.read(`archive/${n}`)));
    for (const name of names) {
      assert.equal(box.read(`outbox/${name}`)?.toString(), `content of ${name}`, JSON.stringify(name));
      assert.equal(box.read(`archive/${name}`)?.toString(), `content of ${name}`, JSON.stringify(name));
    }
    assert.deepEqual(box.files('inbox'), []);
    assert.ok(!box.files().some((f) => /pwned/.test(f) && !f.includes('touch')), 'nothing was run through a shell');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  test('a failing hostile name gets its sidecar beside it in failed/', async () => {
    const config = box.config({
      pipelines: [pipeline({ onFailure: { moveTo: './failed' }, stages: [{ use: 'json' }] })],
    });
    const sluice = box.start(['watch', '-c', config]);
    await sluice.ready();
    const name = 'sub dir/$(x) "q"\n-bad.json';
    box.write(`inbox/${name}`, '{ not json');
    // The sidecar is written (and made durable) first, then the input moved: wait for both.
    await waitFor('the sidecar and the quarantined input', () => box.read(`failed/${name}.error.json`) && box.read(`failed/${name}`));
    assert.equal(box.read(`failed/${name}`)?.toString(), '{ not json');
    const sidecar = JSON.parse(box.read(`failed/${name}.error.json`)!.toString()) as { stage: string; pipeline: string };
    assert.equal(sidecar.stage, 'json');
    assert.equal(sidecar.pipeline, 'p');
  });
});
