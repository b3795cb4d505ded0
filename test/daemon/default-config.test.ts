import assert from 'node:assert/strict';
import fs from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox, waitFor } from '../helpers/process.js';

// `npm start` is `sluice watch` in a folder without a config: the built-in default (gzip inbox → outbox, archive on
// success, failed/ with a sidecar on failure), paths relative to the working directory.
describe('sluice watch: built-in default and dispositions', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('with no config file, creates ./inbox and gzips inbox/hello.txt into outbox/hello.txt.gz, archiving the input', async () => {
    const sluice = box.start(['watch']);
    await sluice.ready();
    assert.ok(fs.statSync(box.path('inbox')).isDirectory(), 'inbox is created');
    assert.deepEqual(box.files('inbox'), []);
    const text = 'hello, sluice\n'.repeat(100);
    box.write('inbox/hello.txt', text);
    await waitFor('archive/hello.txt', () => box.read('archive/hello.txt'));
    assert.equal(gunzipSync(box.read('outbox/hello.txt.gz')!).toString(), text);
    assert.equal(box.read('archive/hello.txt')!.toString(), text);
    assert.deepEqual(box.files('inbox'), []);
    assert.deepEqual(box.files('outbox').filter((f) => !f.startsWith('.sluice-tmp/')), ['hello.txt.gz']);
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null });
    assert.equal(sluice.stdout, '');
    assert.match(sluice.stderr, /watching .*inbox/);
  });

  test('the default keeps relative paths below inbox (subfolders, a name with spaces and unicode)', async () => {
    const sluice = box.start(['watch']);
    await sluice.ready();
    box.write('inbox/a b/ünï cødé.txt', 'x');
    await waitFor('archive/a b/ünï cødé.txt', () => box.read('archive/a b/ünï cødé.txt'));
    assert.equal(gunzipSync(box.read('outbox/a b/ünï cødé.txt.gz')!).toString(), 'x');
  });

  test('a ./sluice.json in the working directory is found without -c', async () => {
    box.config({ pipelines: [pipeline({ output: { dir: './copies' } })] });
    const sluice = box.start(['watch']);
    await sluice.ready();
    box.write('inbox/f.txt', 'found');
    await waitFor('copies/f.txt', () => box.read('copies/f.txt'));
    assert.equal(box.read('copies/f.txt')!.toString(), 'found');
    assert.equal(box.read('outbox'), null);
  });

  test('a file that fails moves to failed/ with <relPath>.error.json; good files still go through', async () => {
    const config = box.config({
      pipelines: [pipeline({
        onSuccess: { moveTo: './archive' },
        onFailure: { moveTo: './failed' },
        retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 20 },
        stages: [{ use: 'gunzip' }],
      })],
    }, 'gunzip.json');
    const sluice = box.start(['watch', '-c', config]);
    await sluice.ready();
    box.write('inbox/sub/bad.txt.gz', 'this is not gzip data');
    box.write('inbox/good.txt.gz', gzipSync('fine'));
    await waitFor('failed/sub/bad.txt.gz.error.json', () => box.read('failed/sub/bad.txt.gz.error.json'));
    // The sidecar is written first, then the input is moved beside it.
    await waitFor('failed/sub/bad.txt.gz', () => box.read('failed/sub/bad.txt.gz'));
    await waitFor('archive/good.txt.gz', () => box.read('archive/good.txt.gz'));
    assert.equal(box.read('failed/sub/bad.txt.gz')!.toString(), 'this is not gzip data');
    const sidecar = JSON.parse(box.read('failed/sub/bad.txt.gz.error.json')!.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sidecar).sort(), ['attempts', 'error', 'failedAt', 'pipeline', 'stage']);
    assert.equal(sidecar['pipeline'], 'p');
    assert.equal(sidecar['stage'], 'gunzip');
    assert.ok(sidecar['attempts'] === 1 || sidecar['attempts'] === 2, `attempts ${String(sidecar['attempts'])}`);
    const error = sidecar['error'] as { code: unknown; message: unknown };
    assert.equal(typeof error.code, 'string');
    assert.equal(typeof error.message, 'string');
    assert.ok(!Number.isNaN(Date.parse(String(sidecar['failedAt']))));
    assert.equal(box.read('outbox/good.txt.gz')!.toString(), 'fine');
    assert.equal(box.read('outbox/sub/bad.txt.gz'), null, 'no output for a failed file');
    assert.deepEqual(box.files('inbox'), []);
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });
});
