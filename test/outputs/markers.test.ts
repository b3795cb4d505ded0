import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, pipeline, runJson, Sandbox, writeConfig } from '../helpers/cli.js';
import { debugJson, waitFor } from '../helpers/process.js';

describe('ready markers (input.marker) and completion markers (output.marker)', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const withMarker = (marker: string, extra: Record<string, unknown> = {}) =>
    writeConfig(box, { pipelines: [pipeline({ input: { dir: './inbox', settleMs: 0, marker }, ...extra })] });

  test('"{base}.done": a file waits for its marker, the marker is never an input, and goes with the input on delete', async () => {
    box.write('inbox/scan-1.pdf', 'one');
    box.write('inbox/scan-2.pdf', 'two');
    withMarker('{base}.done', { onSuccess: 'delete' });
    const first = await runJson(box);
    assert.equal(first.code, 0);
    assert.deepEqual(first.report.files, [], 'neither file is eligible yet');
    const explained = JSON.parse((await box.run(['explain', '--json', 'inbox/scan-1.pdf'])).stdout) as { inputs: { state: string; marker: string }[] };
    assert.equal(explained.inputs[0]!.state, 'waiting');
    assert.equal(explained.inputs[0]!.marker, box.path('inbox/scan-1.pdf.done'));
    assert.match((await box.run(['explain', 'inbox/scan-1.pdf'])).stdout, /waiting for its ready marker .*scan-1\.pdf\.done/);
    box.write('inbox/scan-1.pdf.done', '');
    const second = await runJson(box);
    assert.deepEqual(second.report.files.map((f) => [f.path, f.outcome]), [['scan-1.pdf', 'processed']]);
    assert.deepEqual(box.files('outbox'), ['scan-1.pdf'], 'the marker is not an input');
    assert.deepEqual(box.files('inbox'), ['scan-2.pdf'], 'input and marker deleted');
  });

  test('moveTo moves the marker beside its input; keep leaves it, and touching it redoes nothing', async () => {
    box.write('inbox/sub/a.csv', 'a');
    box.write('inbox/sub/a.csv.done', '');
    withMarker('{base}.done', { onSuccess: { moveTo: './archive' } });
    await runJson(box);
    assert.deepEqual(box.files('archive'), ['sub/a.csv', 'sub/a.csv.done']);
    assert.deepEqual(box.files('inbox'), []);
    box.rm('.sluice');
    box.rm('outbox');
    box.write('inbox/b.csv', 'b');
    box.write('inbox/b.csv.done', '');
    withMarker('{base}.done');
    assert.equal(fileIn((await runJson(box)).report, 'b.csv').outcome, 'processed');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(box.path('inbox/b.csv.done'), later, later);
    assert.equal(fileIn((await runJson(box)).report, 'b.csv').outcome, 'unchanged');
    assert.deepEqual(box.files('inbox'), ['b.csv', 'b.csv.done']);
  });

  test('"{name}.ready" pairs report.pdf with report.ready', async () => {
    box.write('inbox/report.pdf', 'r');
    box.write('inbox/other.pdf', 'o');
    box.write('inbox/report.ready', '');
    withMarker('{name}.ready');
    const { report } = await runJson(box);
    assert.deepEqual(report.files.map((f) => f.path), ['report.pdf']);
  });

  test('a folder marker ("_READY") releases every file of its folder, not of its subfolders, and is never removed', async () => {
    box.write('inbox/batch/a.txt', 'a');
    box.write('inbox/batch/b.txt', 'b');
    box.write('inbox/batch/later/c.txt', 'c');
    withMarker('_READY', { onSuccess: 'delete' });
    assert.deepEqual((await runJson(box)).report.files, []);
    box.write('inbox/batch/_READY', '');
    const { report } = await runJson(box);
    assert.deepEqual(report.files.map((f) => f.path).sort(), ['batch/a.txt', 'batch/b.txt']);
    assert.deepEqual(box.files('inbox'), ['batch/_READY', 'batch/later/c.txt']);
  });

  test('a quarantined input takes its marker along, and sluice retry brings both back; the dry run says who waits', async () => {
    box.write('inbox/bad.json', '{ nope');
    box.write('inbox/bad.json.done', '');
    box.write('inbox/later.json', '{}');
    withMarker('{base}.done', { stages: [{ use: 'json' }], onFailure: { moveTo: './failed' } });
    const dry = JSON.parse((await box.run(['run', '--dry-run', '--json'])).stdout) as { files: { path: string; action: string }[] };
    assert.deepEqual(dry.files.map((f) => [f.path, f.action]).sort(), [['bad.json', 'process'], ['later.json', 'waiting']]);
    assert.match((await box.run(['run', '--dry-run'])).stdout, /waiting {2}p: later\.json/);
    assert.equal((await runJson(box)).code, 1);
    assert.deepEqual(box.files('failed'), ['bad.json', 'bad.json.done', 'bad.json.error.json']);
    assert.deepEqual(box.files('inbox'), ['later.json']);
    const retried = await box.run(['retry', 'failed/bad.json']);
    assert.equal(retried.code, 0, retried.stderr);
    assert.deepEqual(box.files('inbox'), ['bad.json', 'bad.json.done', 'later.json']);
    assert.deepEqual(box.files('failed'), []);
  });

  test('watch: a folder marker\'s event makes every file of its folder eligible', async () => {
    writeConfig(box, { rescanIntervalMs: 0, pipelines: [pipeline({ input: { dir: './inbox', settleMs: 0, marker: '_READY' } })] });
    box.write('inbox/batch/.keep', '');
    const sluice = box.start(['watch', ...debugJson]);
    await sluice.ready();
    box.write('inbox/batch/a.txt', 'a');
    box.write('inbox/batch/b.txt', 'b');
    await waitFor('both wait for _READY', () => sluice.logs.filter((l) => /waiting for its ready marker batch\/_READY/.test(l.message)).length >= 2);
    box.write('inbox/batch/_READY', '');
    await sluice.processed('batch/a.txt');
    await sluice.processed('batch/b.txt');
    assert.deepEqual(box.files('outbox'), ['batch/a.txt', 'batch/b.txt']);
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  test('watch: the marker\'s own event makes its file eligible', async () => {
    writeConfig(box, { rescanIntervalMs: 0, pipelines: [pipeline({ input: { dir: './inbox', settleMs: 0, marker: '{base}.done' } })] });
    box.write('inbox/.keep', '');
    const sluice = box.start(['watch', ...debugJson]);
    await waitFor('watching', () => sluice.stderr.includes('watching'));
    box.write('inbox/a.txt', 'a');
    await waitFor('a waits for its marker', () => sluice.stderr.includes('waiting for its ready marker a.txt.done'));
    assert.equal(box.exists('outbox/a.txt'), false);
    box.write('inbox/a.txt.done', '');
    await waitFor('a processed', () => /"message":"processed[^"]*outbox\/a\.txt"/.test(sluice.stderr));
    assert.deepEqual(box.files('outbox'), ['a.txt']);
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  test('output.marker is written empty after the outputs; it is no output, and a missing one makes the input redone', async () => {
    box.write('inbox/docs/r.txt', 'r');
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', path: '{relDir}/{name}/{base}', marker: '{relDir}/{name}/_SUCCESS' } })] });
    const { report } = await runJson(box);
    assert.deepEqual(fileIn(report, 'docs/r.txt').outputs, [box.path('outbox/docs/r/r.txt')]);
    assert.deepEqual(box.files('outbox'), ['docs/r/_SUCCESS', 'docs/r/r.txt']);
    assert.equal(box.read('outbox/docs/r/_SUCCESS')!.length, 0);
    box.rm('outbox/docs/r/_SUCCESS');
    const explained = JSON.parse((await box.run(['explain', '--json', 'inbox/docs/r.txt'])).stdout) as { inputs: { missingOutput: string }[] };
    assert.equal(explained.inputs[0]!.missingOutput, box.path('outbox/docs/r/_SUCCESS'));
    assert.equal(fileIn((await runJson(box)).report, 'docs/r.txt').outcome, 'processed');
    assert.deepEqual(box.files('outbox'), ['docs/r/_SUCCESS', 'docs/r/r.txt']);
  });
});
