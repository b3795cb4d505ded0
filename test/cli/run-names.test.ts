import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, pipeline, runJson, Sandbox, writeConfig } from '../helpers/cli.js';

const hostile = [
  'with space.txt',
  'ünïcødé 日本語.txt',
  '-rf',
  '--help',
  '$(touch pwned)',
  '`touch pwned-too`.txt',
  'semi;touch pwned-three;.txt',
  `it's "quoted".txt`,
  'new\nline.txt',
  '-dir/$(touch pwned)/* star.txt',
];

describe('sluice run: file names and what is not an input', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('hostile names pass through copy and exec unharmed, and no shell ever runs', async () => {
    for (const [i, name] of hostile.entries()) box.write(`inbox/${name}`, `content ${i}\n`);
    writeConfig(box, {
      pipelines: [
        pipeline({ name: 'copy', output: { dir: './o-copy', path: '{relDir}/{name}.copy{ext}' } }),
        pipeline({ name: 'exec', output: { dir: './o-exec' }, stages: [{ use: 'exec', with: { command: ['cp', '{in}', '{out}'] } }] }),
        pipeline({
          name: 'exec-arg', output: { dir: './o-arg' },
          stages: [{ use: 'exec', with: { command: [process.execPath, '-e', 'require("fs").copyFileSync(process.argv[1].slice(3), process.argv[2].slice(4))', 'in={in}', 'out={out}'] } }],
        }),
      ],
    });
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, `${stderr}\n${JSON.stringify(report.files, null, 1)}`);
    assert.equal(report.processed, hostile.length * 3);
    hostile.forEach((name, i) => {
      const content = `content ${i}\n`;
      const ext = path.posix.extname(name);
      const copy = `${name.slice(0, name.length - ext.length)}.copy${ext}`;
      assert.equal(box.read(`o-copy/${copy}`)?.toString(), content, `copy of ${JSON.stringify(name)}`);
      assert.equal(box.read(`o-exec/${name}`)?.toString(), content, `exec of ${JSON.stringify(name)}`);
      assert.equal(box.read(`o-arg/${name}`)?.toString(), content, `exec-arg of ${JSON.stringify(name)}`);
      assert.deepEqual(fileIn(report, name, 'exec').outputs, [box.path('o-exec', name)]);
    });
    const pwned = box.files().filter((f) => /(^|\/)pwned/.test(f));
    assert.deepEqual(pwned, [], 'a shell ran a command from a file name');
    assert.equal(box.files('inbox').length, hostile.length, 'inputs are kept');
  });

  test('dotfiles, dot folders, *.part, *.tmp, *.crdownload, *.swp, ~$* and user excludes are never inputs', async () => {
    const ignored = ['.hidden', '.git/config', 'sub/.dot.txt', 'x.part', 'sub/y.tmp', '~$report.docx', 'dl.crdownload',
      '.v.swp', 'w.swp', 'old.bak', 'skip/me.txt'];
    for (const f of [...ignored, 'ok.txt', 'sub/ok2.txt']) box.write(`inbox/${f}`, f);
    fs.writeFileSync(box.path('secret.txt'), 'outside');
    fs.symlinkSync(box.path('secret.txt'), box.path('inbox/link.txt'));
    writeConfig(box, { pipelines: [pipeline({ input: { dir: './inbox', settleMs: 0, exclude: ['**/*.bak', 'skip/**'] } })] });
    const { code, report } = await runJson(box);
    assert.equal(code, 0);
    assert.deepEqual(report.files.map((f) => f.path).sort(), ['ok.txt', 'sub/ok2.txt']);
    assert.deepEqual(box.files('outbox'), ['ok.txt', 'sub/ok2.txt']);
    assert.equal(fs.readlinkSync(box.path('inbox/link.txt')), box.path('secret.txt'), 'a symlink is not followed or moved');
  });

  test('output, archive and state folders inside the input folder are never consumed', async () => {
    box.write('inbox/a.txt', 'a');
    box.write('inbox/sub/b.txt', 'b');
    writeConfig(box, {
      stateDir: './inbox/state',
      pipelines: [pipeline({
        output: { dir: './inbox/out', path: '{relDir}/{base}.out' }, onSuccess: { moveTo: './inbox/done' },
      })],
    });
    const first = await runJson(box);
    assert.equal(first.code, 0);
    assert.deepEqual(first.report.files.map((f) => f.path).sort(), ['a.txt', 'sub/b.txt']);
    const after = box.files('inbox').filter((f) => !f.startsWith('state/'));
    assert.deepEqual(after, ['done/a.txt', 'done/sub/b.txt', 'out/a.txt.out', 'out/sub/b.txt.out']);
    const second = await runJson(box);
    assert.deepEqual(second.report.files, [], 'nothing sluice wrote is an input');
    assert.deepEqual(box.files('inbox').filter((f) => !f.startsWith('state/')), after);
  });

  test('with onSuccess keep, outputs inside the input folder are not consumed on later runs either', async () => {
    box.write('inbox/a.txt', 'a');
    writeConfig(box, { pipelines: [pipeline({ output: { dir: './inbox/outbox' } })] });
    assert.equal((await runJson(box)).report.processed, 1);
    const { report } = await runJson(box);
    assert.deepEqual(report.files.map((f) => [f.path, f.outcome]), [['a.txt', 'unchanged']]);
    assert.deepEqual(box.files('inbox'), ['a.txt', 'outbox/a.txt']);
  });
});
