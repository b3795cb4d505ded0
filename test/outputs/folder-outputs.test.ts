import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, pipeline, runJson, Sandbox, writeConfig } from '../helpers/cli.js';
import { pagesStage as pages } from '../helpers/folder-stages.js';
import { debugJson, waitFor } from '../helpers/process.js';

describe('folder outputs (output.path ending in "/")', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('every file the stage leaves, subfolders too, is an output under the rendered folder; listed in run --json', async () => {
    box.write('inbox/docs/report.txt', '3\nv1\n');
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', path: '{relDir}/{name}/' }, stages: [pages] })] });
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    const expected = ['docs/report/page-1.txt', 'docs/report/page-2.txt', 'docs/report/page-3.txt', 'docs/report/sub/extra.txt'];
    assert.deepEqual(box.files('outbox').filter((f) => !f.startsWith('.sluice-tmp/')), expected);
    assert.deepEqual(box.files('outbox/.sluice-tmp'), [], 'no temp file or folder left');
    assert.equal(box.read('outbox/docs/report/page-2.txt')?.toString(), 'v1 page 2\n');
    assert.deepEqual([...fileIn(report, 'docs/report.txt').outputs].sort(), expected.map((f) => box.path('outbox', f)));
    const again = await runJson(box);
    assert.equal(fileIn(again.report, 'docs/report.txt').outcome, 'unchanged');
    const explained = await box.run(['explain', '--json', 'outbox/docs/report/page-3.txt']);
    const outputOf = (JSON.parse(explained.stdout) as { outputOf: { input: string }[] }).outputOf;
    assert.deepEqual(outputOf.map((o) => o.input), [box.path('inbox/docs/report.txt')], 'explain names the input');
  });

  test('processed again: only the files of this input that its new result lacks are removed; a shared folder keeps the others', async () => {
    const shared = {
      use: 'exec',
      with: {
        command: ['/bin/sh', '-c', 'n=$(cat "$1"); i=1; while [ "$i" -le "$n" ]; do echo "$n" > "$2/$3-$i.txt"; i=$((i+1)); done',
          'sh', '{in}', '{outDir}', '{name}'],
      },
    };
    box.write('inbox/a.txt', '3');
    box.write('inbox/b.txt', '2');
    box.write('outbox/keep-me.txt', 'a person put this here');
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', path: '{relDir}/' }, stages: [shared] })] });
    assert.equal((await runJson(box)).code, 0);
    assert.deepEqual(box.files('outbox'), ['a-1.txt', 'a-2.txt', 'a-3.txt', 'b-1.txt', 'b-2.txt', 'keep-me.txt']);
    box.write('inbox/a.txt', '1');
    const { report } = await runJson(box);
    assert.equal(fileIn(report, 'a.txt').outcome, 'processed');
    assert.deepEqual(fileIn(report, 'a.txt').outputs, [box.path('outbox/a-1.txt')]);
    assert.deepEqual(box.files('outbox'), ['a-1.txt', 'b-1.txt', 'b-2.txt', 'keep-me.txt'], "only a's stale files went");
    assert.equal(box.read('outbox/a-1.txt')?.toString(), '1\n');
  });

  test('a file another input took over (conflict: replace) is not removed as this input\'s stale output', async () => {
    // Each input writes the files its content names into the shared folder.
    const names = { use: 'exec', with: { command: ['/bin/sh', '-c', 'for f in $(cat "$1"); do echo "$3" > "$2/$f"; done', 'sh', '{in}', '{outDir}', '{name}'] } };
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', path: '{relDir}/' }, stages: [names] })] });
    box.write('inbox/a.txt', 'x.out a.out');
    assert.equal((await runJson(box)).code, 0);
    box.write('inbox/b.txt', 'x.out b.out');
    assert.equal((await runJson(box)).code, 0);
    assert.equal(box.read('outbox/x.out')?.toString(), 'b\n', 'b took x.out over');
    box.write('inbox/a.txt', 'a.out');
    const { report } = await runJson(box);
    assert.equal(fileIn(report, 'a.txt').outcome, 'processed');
    assert.deepEqual(box.files('outbox'), ['a.out', 'b.out', 'x.out'], "b's x.out stays");
    box.write('inbox/b.txt', 'b.out');
    await runJson(box);
    assert.deepEqual(box.files('outbox'), ['a.out', 'b.out'], 'and goes once b no longer makes it');
  });

  test('a removed subfolder output leaves no empty folder behind', async () => {
    const nested = {
      use: 'exec',
      with: { command: ['/bin/sh', '-c', 'if [ "$(cat "$1")" = deep ]; then mkdir -p "$2/x/y"; echo d > "$2/x/y/d.txt"; fi; echo t > "$2/top.txt"', 'sh', '{in}', '{outDir}'] },
    };
    box.write('inbox/a.txt', 'deep');
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', path: '{name}/' }, stages: [nested] })] });
    assert.equal((await runJson(box)).code, 0);
    assert.deepEqual(box.files('outbox'), ['a/top.txt', 'a/x/y/d.txt']);
    box.write('inbox/a.txt', 'flat');
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    assert.equal(fileIn(report, 'a.txt').outcome, 'processed');
    assert.deepEqual(box.files('outbox'), ['a/top.txt']);
    assert.equal(box.exists('outbox/a/x'), false, 'the emptied folders are gone');
  });

  test('watch: a folder output with a completion marker, then processed again with fewer files', async () => {
    writeConfig(box, {
      pipelines: [pipeline({ output: { dir: './outbox', path: '{relDir}/{name}/', marker: '{relDir}/{name}/_SUCCESS' }, stages: [pages] })],
    });
    box.write('inbox/.keep', '');
    const sluice = box.start(['watch', ...debugJson]);
    await sluice.ready();
    box.write('inbox/r.txt', '3\nv1\n');
    await sluice.processed('r.txt');
    assert.deepEqual(box.files('outbox'), ['r/_SUCCESS', 'r/page-1.txt', 'r/page-2.txt', 'r/page-3.txt', 'r/sub/extra.txt']);
    box.write('inbox/r.txt', '1\nv2\n');
    await waitFor('r processed again', () => sluice.logsFor('r.txt', /^processed/).length >= 2);
    assert.deepEqual(box.files('outbox'), ['r/_SUCCESS', 'r/page-1.txt', 'r/sub/extra.txt']);
    assert.equal(box.read('outbox/r/page-1.txt')?.toString(), 'v2 page 1\n');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  test('NO_OUTPUT, OUTPUT_TOO_MANY and OUTPUT_INVALID fail the file at once and publish nothing', async () => {
    const odd = {
      use: 'exec',
      with: {
        command: ['/bin/sh', '-c', [
          'case "$(cat "$1")" in',
          '  none) ;;',
          '  many) for i in 1 2 3 4; do echo $i > "$2/f$i.txt"; done ;;',
          '  link) echo x > "$2/ok.txt"; ln -s /etc/passwd "$2/link.txt" ;;',
          '  fifo) echo x > "$2/ok.txt"; mkfifo "$2/pipe" ;;',
          '  emptydir) mkdir "$2/empty" ;;',
          'esac'].join('\n'), 'sh', '{in}', '{outDir}'],
      },
    };
    for (const kind of ['none', 'many', 'link', 'fifo', 'emptydir']) box.write(`inbox/${kind}.txt`, kind);
    writeConfig(box, {
      pipelines: [pipeline({
        output: { dir: './outbox', path: '{name}/', maxFiles: 3 }, stages: [odd], retry: { attempts: 3, backoffMs: 5 },
      })],
    });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    const failure = (name: string) => fileIn(report, name).error?.code;
    assert.deepEqual(['none', 'many', 'link', 'fifo', 'emptydir'].map((k) => failure(`${k}.txt`)),
      ['NO_OUTPUT', 'OUTPUT_TOO_MANY', 'OUTPUT_INVALID', 'OUTPUT_INVALID', 'NO_OUTPUT']);
    assert.deepEqual(box.files('outbox'), [], 'nothing published, no temp left');
    const explained = JSON.parse((await box.run(['explain', '--json', 'inbox/many.txt'])).stdout) as { inputs: { record: { attempts: number } }[] };
    assert.equal(explained.inputs[0]!.record.attempts, 1, 'permanent: not retried');
  });

  test('a module fills ctx.outputDir (ctx.output undefined) and gets ctx.stage and ctx.attempt', async () => {
    box.write('split.mjs', `import fs from 'node:fs';
import path from 'node:path';
export default async function (ctx) {
  const lines = fs.readFileSync(ctx.input, 'utf8').split('\\n').filter(Boolean);
  lines.forEach((line, i) => fs.writeFileSync(path.join(ctx.outputDir, 'line-' + (i + 1) + '.txt'),
    JSON.stringify({ line, output: ctx.output ?? null, stage: ctx.stage, attempt: ctx.attempt, pipeline: ctx.pipeline })));
}
`);
    box.write('inbox/a.txt', 'one\ntwo\n');
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './outbox', path: '{name}/' }, stages: [{ use: 'copy' }, { use: './split.mjs' }] })] });
    const { code, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    assert.deepEqual(box.files('outbox'), ['a/line-1.txt', 'a/line-2.txt']);
    assert.deepEqual(JSON.parse(box.read('outbox/a/line-2.txt')!.toString()), { line: 'two', output: null, stage: 1, attempt: 1, pipeline: 'p' });
  });
});
