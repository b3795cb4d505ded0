import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, pipeline, runJson, Sandbox, writeConfig } from '../helpers/cli.js';
import { debugJson, waitFor } from '../helpers/process.js';

/** A stage that fails (exit 1: transient) while the file `broken` exists beside the config, then copies. */
const flaky = { use: 'exec', with: { command: ['/bin/sh', '-c', 'if [ -e broken ]; then echo "disk full" >&2; exit 1; fi; cp "$SLUICE_INPUT" "$SLUICE_OUTPUT"'] } };

describe('failures that come back by themselves; outputs that went missing', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('watch: a transient failure is tried again by the next periodic rescan, untouched, with the full retry.attempts', async () => {
    box.write('broken', '');
    writeConfig(box, { rescanIntervalMs: 400, pipelines: [pipeline({ stages: [flaky], retry: { attempts: 2, backoffMs: 5 } })] });
    box.write('inbox/a.txt', 'a');
    const sluice = box.start(['watch', ...debugJson]);
    await sluice.waitForLog('a failed', (l) => l.path === 'a.txt' && /^failed after 2 attempt/.test(l.message));
    assert.equal(box.exists('outbox/a.txt'), false);
    // The problem goes away (space freed, say); nobody touches a.txt.
    await waitFor('a tried again by a rescan, and failed again', () => sluice.logsFor('a.txt', /^failed after 2 attempt/).length >= 2);
    box.rm('broken');
    await sluice.processed('a.txt', { timeoutMs: 10_000 });
    assert.equal(box.read('outbox/a.txt')?.toString(), 'a');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  test('watch: an output deleted by hand is redone by the next rescan', async () => {
    writeConfig(box, { rescanIntervalMs: 400, pipelines: [pipeline()] });
    box.write('inbox/a.txt', 'a');
    const sluice = box.start(['watch', ...debugJson]);
    await sluice.processed('a.txt');
    box.rm('outbox/a.txt');
    await waitFor('a processed again', () => sluice.logsFor('a.txt', /^processed/).length >= 2);
    assert.equal(box.read('outbox/a.txt')?.toString(), 'a');
    sluice.kill('SIGTERM');
    await sluice.waitForExit();
  });

  test('run: an output deleted by hand is redone; explain names it; a folder output missing one file is redone whole', async () => {
    box.write('inbox/a.txt', 'a');
    writeConfig(box, { pipelines: [pipeline()] });
    await runJson(box);
    box.rm('outbox/a.txt');
    assert.match((await box.run(['explain', 'inbox/a.txt'])).stdout, /its output .*outbox\/a\.txt is missing: it will be processed again/);
    assert.equal(fileIn((await runJson(box)).report, 'a.txt').outcome, 'processed');
    assert.equal(box.read('outbox/a.txt')?.toString(), 'a');
    const two = { use: 'exec', with: { command: ['/bin/sh', '-c', 'echo 1 > "$2/one"; echo 2 > "$2/two"', 'sh', '{in}', '{outDir}'] } };
    writeConfig(box, { pipelines: [pipeline({ name: 'f', output: { dir: './folders', path: '{name}/' }, stages: [two] })] });
    await runJson(box);
    box.rm('folders/a/two');
    assert.equal(fileIn((await runJson(box)).report, 'a.txt').outcome, 'processed');
    assert.deepEqual(box.files('folders'), ['a/one', 'a/two']);
  });
});
