import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, waitFor } from '../helpers/process.js';
import { cliJson } from './helpers.js';

// `sluice retry`: quarantined inputs go back to their input folder, sidecar and failure cleared, and are processed again.
describe('sluice retry', () => {
  let box: Sandbox;
  let config: string;
  beforeEach(() => {
    box = Sandbox.create();
    // Fails while fail.flag exists.
    config = box.config({
      pipelines: [pipeline({
        onSuccess: { moveTo: './archive' }, onFailure: { moveTo: './failed' },
        stages: [shStage('if [ -e fail.flag ]; then echo refused >&2; exit 3; fi; cp "$1" "$2"')],
      })],
    });
  });
  afterEach(async () => {
    await box.dispose();
  });

  async function quarantine(...names: string[]): Promise<void> {
    box.write('fail.flag', '');
    for (const name of names) box.write(`inbox/${name}`, `content of ${name}`);
    assert.equal((await box.run(['run', '-c', config])).code, 1);
    for (const name of names) {
      assert.ok(box.read(`failed/${name}`) && box.read(`failed/${name}.error.json`), `${name} quarantined`);
    }
    box.rm('fail.flag');
  }

  test('while the daemon runs: the input goes back and the daemon processes it', async () => {
    await quarantine('sub/a.txt');
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    const result = await box.run(['retry', 'failed/sub/a.txt', '-c', config]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`running daemon \\(pid ${sluice.pid}\\)`));
    await sluice.processed('sub/a.txt', { timeoutMs: 30_000 });
    assert.equal(box.read('outbox/sub/a.txt')?.toString(), 'content of sub/a.txt');
    assert.equal(box.read('archive/sub/a.txt')?.toString(), 'content of sub/a.txt');
    assert.deepEqual(box.files('failed'), [], 'the quarantined input and its sidecar are gone');
    const explained = await cliJson(box, ['explain', 'inbox/sub/a.txt', '-c', config]);
    assert.equal(explained['inputs'][0].record.status, 'done');
  });

  test('without a daemon, by the original input path: the next run processes it', async () => {
    await quarantine('b.txt');
    const result = await box.run(['retry', box.path('inbox/b.txt'), '-c', config]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /next sluice run/);
    assert.equal(box.read('inbox/b.txt')?.toString(), 'content of b.txt');
    assert.deepEqual(box.files('failed'), []);
    assert.equal((await cliJson(box, ['explain', 'inbox/b.txt', '-c', config]))['inputs'][0].state, 'new', 'the failure is cleared');
    const run = await box.run(['run', '--json', '-c', config]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).processed, 1);
    assert.equal(box.read('outbox/b.txt')?.toString(), 'content of b.txt');
  });

  test('--all retries every quarantined input; nothing left is fine', async () => {
    await quarantine('one.txt', 'deep/two.txt');
    const result = await box.run(['retry', '--all', '-c', config]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(box.files('inbox'), ['deep/two.txt', 'one.txt']);
    assert.deepEqual(box.files('failed'), []);
    const again = await box.run(['retry', '--all', '-c', config]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to retry/);
  });

  test('a path that is not quarantined, or an input that exists again, exits 2 and changes nothing', async () => {
    await quarantine('c.txt', 'd.txt');
    const unknown = await box.run(['retry', 'failed/c.txt', 'failed/none.txt', '-c', config]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /failed\/none\.txt is not a quarantined input/);
    assert.ok(box.read('failed/c.txt'), 'nothing was moved');

    box.write('inbox/d.txt', 'a new d');
    const exists = await box.run(['retry', '--all', '-c', config]);
    assert.equal(exists.code, 2);
    assert.match(exists.stderr, /input .*inbox\/d\.txt exists again/);
    assert.equal(box.read('inbox/d.txt')?.toString(), 'a new d', 'never overwritten');
    assert.ok(box.read('failed/c.txt') && box.read('failed/d.txt.error.json'));

    const usage = await box.run(['retry', '-c', config]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--all/);
  });

  test('the daemon clears the failure itself: a retried file that fails again is quarantined again', async () => {
    await quarantine('e.txt');
    box.write('fail.flag', '');
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    assert.equal((await box.run(['retry', 'failed/e.txt.error.json', '-c', config])).code, 0);
    await sluice.waitForLog('e.txt failed again', (l) => l.path === 'e.txt' && /^failed after/.test(l.message), { timeoutMs: 30_000 });
    await waitFor('e.txt quarantined again', () => box.read('failed/e.txt') && box.read('failed/e.txt.error.json'));
  });
});

// onFailure: keep leaves a failed input in place: retry clears its failure so it is processed again as it is.
describe('sluice retry of inputs kept in place', () => {
  let box: Sandbox;
  let config: string;
  beforeEach(() => {
    box = Sandbox.create();
    config = box.config({ pipelines: [pipeline({ stages: [shStage('if [ -e fail.flag ]; then echo refused >&2; exit 3; fi; cp "$1" "$2"')] })] });
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('the running daemon processes a retried kept input at once; --all finds the others', async () => {
    box.write('fail.flag', '');
    for (const name of ['k.txt', 'l.txt']) box.write(`inbox/${name}`, name);
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    for (const name of ['k.txt', 'l.txt']) await sluice.waitForLog(`${name} failed`, (l) => l.path === name && /^failed after/.test(l.message));
    box.rm('fail.flag');
    const one = await box.run(['retry', 'inbox/k.txt', '-c', config]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /kept in place/);
    await sluice.processed('k.txt');
    assert.equal(box.read('outbox/k.txt')?.toString(), 'k.txt');
    const all = await box.run(['retry', '--all', '-c', config]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /1 kept in place cleared/);
    await sluice.processed('l.txt');
    assert.match((await box.run(['retry', 'inbox/k.txt', '-c', config])).stderr, /is not a quarantined input/, 'done now');
  });
});
