import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { fileIn, pipeline, runJson, Sandbox, shStage, writeConfig } from '../helpers/cli.js';

describe('sluice run: transforms and the run report', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('gzip: every file, nested paths kept; --json prints exactly one report object', async () => {
    const big = 'line of text\n'.repeat(50_000);
    box.write('inbox/a.txt', 'alpha\n');
    box.write('inbox/sub/deeper/b.log', big);
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', path: '{relDir}/{base}.gz' }, stages: [{ use: 'gzip' }] })] });
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    assert.deepEqual(Object.keys(report).sort(), ['durationMs', 'failed', 'files', 'processed', 'unchanged']);
    assert.equal(report.processed, 2);
    assert.equal(report.unchanged, 0);
    assert.equal(report.failed, 0);
    assert.ok(Number.isInteger(report.durationMs) && report.durationMs >= 0);
    assert.deepEqual([...report.files].sort((x, y) => x.path.localeCompare(y.path)), [
      { pipeline: 'p', path: 'a.txt', outcome: 'processed', outputs: [box.path('outbox/a.txt.gz')] },
      { pipeline: 'p', path: 'sub/deeper/b.log', outcome: 'processed', outputs: [box.path('outbox/sub/deeper/b.log.gz')] },
    ]);
    assert.equal(gunzipSync(box.read('outbox/a.txt.gz')!).toString(), 'alpha\n');
    assert.equal(gunzipSync(box.read('outbox/sub/deeper/b.log.gz')!).toString(), big);
    assert.deepEqual(box.files('inbox'), ['a.txt', 'sub/deeper/b.log'], 'onSuccess keep leaves inputs in place');
    assert.deepEqual(box.files('outbox'), ['a.txt.gz', 'sub/deeper/b.log.gz'], 'no temp files are left');
  });

  test('without --json nothing goes to stdout: logs go to stderr', async () => {
    box.write('inbox/a.txt', 'a');
    writeConfig(box, { pipelines: [pipeline()] });
    const r = await box.run(['run']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /processed/);
  });

  test('copy, json, replace, exec ({in}/{out} and stdout) and chained stages', async () => {
    box.write('in/t.txt', 'foo bar foo\nfoo\n');
    box.write('in/d.json', '{ "b": [1, 2],\n  "a": { "c": null } }');
    writeConfig(box, {
      pipelines: [
        pipeline({ name: 'copy', input: { dir: './in', settleMs: 0 }, output: { dir: './o-copy' } }),
        pipeline({
          name: 'json', input: { dir: './in', include: ['**/*.json'], settleMs: 0 }, output: { dir: './o-json' },
          stages: [{ use: 'json', with: { indent: 0 } }],
        }),
        pipeline({
          name: 'replace', input: { dir: './in', include: ['*.txt'], settleMs: 0 }, output: { dir: './o-replace' },
          stages: [{ use: 'replace', with: { pattern: 'fo(o)', replacement: 'b$1$1' } }],
        }),
        pipeline({
          name: 'exec', input: { dir: './in', include: ['*.txt'], settleMs: 0 }, output: { dir: './o-exec' },
          stages: [shStage('tr a-z A-Z < "$1" > "$2"')],
        }),
        pipeline({
          name: 'chain', input: { dir: './in', include: ['*.txt'], settleMs: 0 },
          output: { dir: './o-chain', path: '{name}.up.gz' },
          stages: [
            { use: 'exec', with: { command: ['/bin/sh', '-c', 'tr a-z A-Z < "$1"', 'sh', '{in}'], stdout: true } },
            { use: 'gzip', with: { level: 1 } },
          ],
        }),
      ],
    });
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    assert.equal(report.failed, 0, JSON.stringify(report.files));
    assert.equal(report.processed, 6);
    assert.equal(box.read('o-copy/t.txt')!.toString(), 'foo bar foo\nfoo\n');
    assert.equal(box.read('o-copy/d.json')!.toString(), box.read('in/d.json')!.toString());
    assert.equal(box.read('o-json/d.json')!.toString(), '{"b":[1,2],"a":{"c":null}}\n');
    assert.equal(box.read('o-replace/t.txt')!.toString(), 'boo bar boo\nboo\n');
    assert.equal(box.read('o-exec/t.txt')!.toString(), 'FOO BAR FOO\nFOO\n');
    assert.equal(gunzipSync(box.read('o-chain/t.up.gz')!).toString(), 'FOO BAR FOO\nFOO\n');
    assert.deepEqual(fileIn(report, 't.txt', 'chain').outputs, [box.path('o-chain/t.up.gz')]);
  });

  test('a failing file: outcome failed with an error code, exit 1, other files still processed', async () => {
    box.write('inbox/good.json', '[1]');
    box.write('inbox/bad.json', '{ "a": ');
    box.write('inbox/x.txt', 'x');
    writeConfig(box, {
      pipelines: [
        pipeline({ stages: [{ use: 'json' }], input: { dir: './inbox', include: ['*.json'], settleMs: 0 } }),
        pipeline({ name: 'ex', input: { dir: './inbox', include: ['*.txt'], settleMs: 0 }, output: { dir: './o2' },
          stages: [shStage('echo "it went wrong" >&2; exit 3')] }),
      ],
    });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    assert.equal(report.processed, 1);
    assert.equal(report.failed, 2);
    const bad = fileIn(report, 'bad.json');
    assert.equal(bad.outcome, 'failed');
    assert.deepEqual(bad.outputs, []);
    assert.equal(bad.error?.code, 'INPUT_INVALID');
    assert.equal(typeof bad.error?.message, 'string');
    const ex = fileIn(report, 'x.txt');
    assert.equal(ex.error?.code, 'EXEC_FAILED');
    assert.match(ex.error!.message, /it went wrong/, 'the stderr tail is in the message');
    assert.equal(box.read('outbox/bad.json'), null);
    assert.deepEqual(box.files('o2'), []);
  });

  test('a rendered path that escapes output.dir fails that file; a stage past timeoutMs fails with STAGE_TIMEOUT', async () => {
    box.write('inbox/top.txt', 'top');
    box.write('inbox/dir/nested.txt', 'nested');
    box.write('slow/x.txt', 'x');
    writeConfig(box, {
      pipelines: [
        // {relDir} is "" for a file at the top: it renders to no file at all.
        pipeline({ output: { dir: './outbox', path: '{relDir}' } }),
        pipeline({
          name: 'slow', input: { dir: './slow', settleMs: 0 }, output: { dir: './o-slow' },
          stages: [{ use: 'exec', timeoutMs: 100, with: { command: ['sleep', '30'], stdout: true } }],
        }),
      ],
    });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    assert.equal(fileIn(report, 'top.txt').error?.code, 'OUTPUT_ESCAPES');
    assert.equal(fileIn(report, 'dir/nested.txt').outcome, 'processed');
    assert.equal(box.read('outbox/dir')?.toString(), 'nested');
    assert.equal(fileIn(report, 'x.txt', 'slow').error?.code, 'STAGE_TIMEOUT');
    assert.deepEqual(box.files('o-slow'), []);
  });
});

describe('sluice run: up to date', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const gzipAt = (level: number, log?: object) => ({
    ...(log ? { log } : {}),
    pipelines: [pipeline({ output: { dir: './outbox', path: '{relDir}/{base}.gz' }, stages: [{ use: 'gzip', with: { level } }] })],
  });

  test('a second run finds everything unchanged and writes nothing', async () => {
    box.write('inbox/a.txt', 'a');
    box.write('inbox/b/c.txt', 'c');
    writeConfig(box, gzipAt(6));
    assert.equal((await runJson(box)).report.processed, 2);
    const before = fs.statSync(box.path('outbox/a.txt.gz'));
    const { code, report } = await runJson(box);
    assert.equal(code, 0);
    assert.deepEqual({ p: report.processed, u: report.unchanged, f: report.failed }, { p: 0, u: 2, f: 0 });
    const a = fileIn(report, 'a.txt');
    assert.equal(a.outcome, 'unchanged');
    assert.deepEqual(a.outputs, [box.path('outbox/a.txt.gz')]);
    const after = fs.statSync(box.path('outbox/a.txt.gz'));
    assert.equal(after.ino, before.ino, 'the output was not rewritten');
    assert.equal(after.mtimeMs, before.mtimeMs);
  });

  test('changing a stage option reprocesses; changing only log settings does not', async () => {
    box.write('inbox/a.txt', 'aaaa'.repeat(1000));
    writeConfig(box, gzipAt(6));
    assert.equal((await runJson(box)).report.processed, 1);
    writeConfig(box, gzipAt(6, { level: 'debug', format: 'json' }));
    assert.equal((await runJson(box)).report.unchanged, 1, 'log settings are not part of the pipeline');
    writeConfig(box, gzipAt(1, { level: 'debug', format: 'json' }));
    const { report } = await runJson(box);
    assert.equal(report.processed, 1, 'gzip level changed');
    assert.equal(gunzipSync(box.read('outbox/a.txt.gz')!).toString(), 'aaaa'.repeat(1000));
    assert.equal((await runJson(box)).report.unchanged, 1);
  });

  test('a changed input is processed again; only that one', async () => {
    box.write('inbox/a.txt', 'one');
    box.write('inbox/b.txt', 'b');
    writeConfig(box, { pipelines: [pipeline()] });
    await runJson(box);
    box.write('inbox/a.txt', 'two, longer');
    const { report } = await runJson(box);
    assert.equal(fileIn(report, 'a.txt').outcome, 'processed');
    assert.equal(fileIn(report, 'b.txt').outcome, 'unchanged');
    assert.equal(box.read('outbox/a.txt')!.toString(), 'two, longer');
  });
});
