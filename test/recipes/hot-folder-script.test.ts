import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, fileIn, runJson, Sandbox, waitFor, writeConfig } from '../helpers/cli.js';

// README recipe 4, the classic hot folder: a scanner drops scan.txt, then scan.txt.done when it has finished. A shell
// script with no placeholders reads $SLUICE_INPUT and writes $SLUICE_OUTPUT; input.marker makes a file eligible only
// once its marker exists, markers are never inputs, and onSuccess: delete removes the marker with its input.
describe('recipe: a shell script on a hot folder with .done markers', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
    box.write('scripts/upper.sh', '#!/bin/sh\nset -eu\ntr a-z A-Z < "$SLUICE_INPUT" > "$SLUICE_OUTPUT"\n');
    fs.chmodSync(box.path('scripts/upper.sh'), 0o755);
  });
  afterEach(async () => {
    await box.dispose();
  });

  // The README's config (every input, markers included, is matched by the default include: the marker rule alone keeps
  // markers out), with test-friendly retries and, for watch, no rescan: the marker's own event must start its input.
  const config = (settleMs: number) => `
rescanIntervalMs: 0
pipelines:
  - name: scans
    input:
      dir: ./hot
      marker: "{base}.done"
      settleMs: ${settleMs}
    output:
      dir: ./done
    onSuccess: delete
    retry: { attempts: 1 }
    stages:
      - use: exec
        with:
          command: ["./scripts/upper.sh"]
`;

  test('run: a file waits for its .done; once it is there the file is processed and both are deleted', async () => {
    writeConfig(box, config(0));
    box.write('hot/waiting.txt', 'not finished yet\n');
    box.write('hot/batch/ready.txt', 'scanned page\n');
    box.write('hot/batch/ready.txt.done', '');
    const first = await runJson(box);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.report.files.map((f) => `${f.path} ${f.outcome}`), ['batch/ready.txt processed']);
    assert.deepEqual(fileIn(first.report, 'batch/ready.txt').outputs, [box.path('done/batch/ready.txt')]);
    assert.equal(box.read('done/batch/ready.txt')?.toString(), 'SCANNED PAGE\n');
    assert.deepEqual(box.files('hot'), ['waiting.txt'], 'ready.txt and its marker are deleted; waiting.txt waits');
    assert.deepEqual(box.files('done'), ['batch/ready.txt'], 'no temp file left');

    box.write('hot/waiting.txt.done', '');
    const second = await runJson(box);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(second.report.files.map((f) => `${f.path} ${f.outcome}`), ['waiting.txt processed']);
    assert.deepEqual(fileIn(second.report, 'waiting.txt').outputs, [box.path('done/waiting.txt')]);
    assert.equal(box.read('done/waiting.txt')?.toString(), 'NOT FINISHED YET\n');
    assert.deepEqual(box.files('hot'), [], 'the input and its marker are gone');
  });

  test('watch: a dropped file is processed when its .done arrives, not before', async () => {
    writeConfig(box, config(200));
    const sluice = box.start(['watch', ...debugJson]);
    await sluice.ready();
    box.write('hot/late.txt', 'late scan\n');
    // A file dropped after late.txt, with its marker, is processed first: late.txt had every chance to go wrongly.
    box.write('hot/other.txt', 'other scan\n');
    box.write('hot/other.txt.done', '');
    await sluice.processed('other.txt');
    assert.equal(box.read('done/other.txt')?.toString(), 'OTHER SCAN\n');
    assert.equal(box.read('done/late.txt'), null, 'late.txt is not processed without its marker');
    assert.deepEqual(sluice.logsFor('late.txt', /^processed/), []);

    box.write('hot/late.txt.done', '');
    await sluice.processed('late.txt');
    assert.equal(box.read('done/late.txt')?.toString(), 'LATE SCAN\n');
    await waitFor('the inputs and their markers to be deleted', () => box.files('hot').length === 0);
    assert.deepEqual(sluice.logs.filter((l) => l.path?.endsWith('.done') && /^processed/.test(l.message)), [],
      'markers are never inputs');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });
});
