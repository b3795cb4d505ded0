import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, pipeline, runJson, Sandbox, writeConfig } from '../helpers/cli.js';

/** An exec stage running a /bin/sh script with no placeholders: it reads $SLUICE_INPUT and writes $SLUICE_OUTPUT. */
const script = (body: string, extra: Record<string, unknown> = {}) => ({ use: 'exec', with: { command: ['/bin/sh', '-c', body], ...extra } });

describe('exec and the tools people plug in', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  /** The unique part of a temp file name, and its extension: `<pid>-<n>-s<stage>` then `ext`. */
  const tempName = /^\d+-\d+-s(\d+)(\.[A-Za-z0-9]+)?$/;

  const appendName = '{ cat "$SLUICE_INPUT"; echo; basename "$SLUICE_OUTPUT"; } > "$SLUICE_OUTPUT"';

  test('the path a stage writes ends with its result\'s extension, and holds nothing of the input\'s name', async () => {
    box.write('inbox/photos/holiday photo.jpg', 'x');
    box.write('inbox/archive.tar', 'x');
    writeConfig(box, {
      pipelines: [
        pipeline({ name: 'png', input: { dir: './inbox', include: ['**/*.jpg'], settleMs: 0 }, output: { dir: './out-png', path: '{relDir}/{name}.png' }, stages: [script('basename "$SLUICE_OUTPUT" > "$SLUICE_OUTPUT"')] }),
        pipeline({ name: 'gz', input: { dir: './inbox', include: ['**/*.tar'], settleMs: 0 }, output: { dir: './out-gz', path: '{base}.gz' }, stages: [script('basename "$SLUICE_OUTPUT" > "$SLUICE_OUTPUT"')] }),
        pipeline({
          name: 'two', input: { dir: './inbox', include: ['**/*.jpg'], settleMs: 0 }, output: { dir: './out-two', path: '{relDir}/{name}.txt' },
          stages: [
            script(appendName),
            { ...script(appendName), ext: '.wav' },
            script(appendName),
          ],
        }),
      ],
    });
    const { code, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    const png = box.read('out-png/photos/holiday photo.png')!.toString().trim();
    assert.match(png, tempName);
    assert.equal(png.match(tempName)![2], '.png');
    assert.ok(Buffer.byteLength(png) <= 64 && !/holiday|photo/.test(png.replace(/\.png$/, '')), png);
    assert.equal(box.read('out-gz/archive.tar.gz')!.toString().trim().match(tempName)![2], '.gz', 'a multi-part extension is not guessed');
    // Each stage copies what it read and adds its own temp name: stage 0 has no ext (so the input's, .jpg), stage 1
    // has ext .wav, the last stage takes output.path's.
    const names = box.read('out-two/photos/holiday photo.txt')!.toString().split('\n').filter(Boolean).slice(1);
    assert.deepEqual(names.map((n) => n.match(tempName)?.slice(1)), [['0', '.jpg'], ['1', '.wav'], ['2', '.txt']]);
  });

  test('a program gets SLUICE_* variables, and {name} {ext} {base} {relPath} {relDir} in its argv', async () => {
    box.write('inbox/docs/q3 report.pdf', 'x');
    writeConfig(box, {
      pipelines: [pipeline({
        output: { dir: './outbox', path: '{relDir}/{name}.txt' },
        stages: [{ use: 'exec', with: { command: ['/bin/sh', '-c', 'env | grep ^SLUICE_ | sort > "$SLUICE_OUTPUT"; printf "%s|" "$@" >> "$SLUICE_OUTPUT"', 'sh', '{name}', '{ext}', '{base}', '{relPath}', '{relDir}'] } }],
      })],
    });
    const { code, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    const text = box.read('outbox/docs/q3 report.txt')!.toString();
    const env = Object.fromEntries(text.split('\n').filter((l) => l.startsWith('SLUICE_')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env['SLUICE_INPUT'], box.path('inbox/docs/q3 report.pdf'));
    assert.equal(env['SLUICE_SOURCE'], box.path('inbox/docs/q3 report.pdf'));
    assert.match(env['SLUICE_OUTPUT']!, /\/outbox\/\.sluice-tmp\/\d+-\d+-s0\.txt$/);
    assert.equal(env['SLUICE_OUTPUT_DIR'], '');
    assert.equal(env['SLUICE_REL_PATH'], 'docs/q3 report.pdf');
    assert.equal(env['SLUICE_PIPELINE'], 'p');
    assert.equal(env['SLUICE_STAGE'], '0');
    assert.equal(env['SLUICE_ATTEMPT'], '1');
    assert.ok(text.endsWith('q3 report|.pdf|q3 report.pdf|docs/q3 report.pdf|docs|'), text);
  });

  test('env adds variables; cwd is relative to the config file\'s folder, which is also the default', async () => {
    box.write('inbox/a.txt', 'x');
    box.write('conf/work/.keep', '');
    const stage = (extra: Record<string, unknown>) => script('echo "$GREETING $(pwd)" > "$SLUICE_OUTPUT"', extra);
    writeConfig(box, {
      pipelines: [
        pipeline({ name: 'set', input: { dir: '../inbox', settleMs: 0 }, output: { dir: '../out-set' }, stages: [stage({ env: { GREETING: 'hello' }, cwd: 'work' })] }),
        pipeline({ name: 'default', input: { dir: '../inbox', settleMs: 0 }, output: { dir: '../out-default' }, stages: [stage({})] }),
      ],
      stateDir: '../.sluice',
    }, 'conf/sluice.yaml');
    const { code, stderr } = await runJson(box, ['-c', 'conf/sluice.yaml']);
    assert.equal(code, 0, stderr);
    assert.equal(box.read('out-set/a.txt')!.toString(), `hello ${box.path('conf/work')}\n`);
    assert.equal(box.read('out-default/a.txt')!.toString(), ` ${box.path('conf')}\n`);
  });

  test('permanentExitCodes fail the file at once; other exit codes are retried', async () => {
    box.write('inbox/invalid.txt', '3');
    box.write('inbox/flaky.txt', '4');
    writeConfig(box, {
      pipelines: [pipeline({ retry: { attempts: 3, backoffMs: 5 }, stages: [script('exit "$(cat "$SLUICE_INPUT")"', { permanentExitCodes: [3] })] })],
    });
    const { report } = await runJson(box);
    for (const [name, attempts] of [['invalid.txt', 1], ['flaky.txt', 3]] as const) {
      assert.equal(fileIn(report, name).error?.code, 'EXEC_FAILED');
      const explained = JSON.parse((await box.run(['explain', '--json', `inbox/${name}`])).stdout) as { inputs: { record: { attempts: number; error: { kind: string } } }[] };
      assert.equal(explained.inputs[0]!.record.attempts, attempts, name);
      assert.equal(explained.inputs[0]!.record.error.kind, attempts === 1 ? 'permanent' : 'transient');
    }
  });

  test('stdin: true pipes the input to the program; with stdout: true no {in} or {out} is needed', async () => {
    box.write('inbox/a.txt', 'shout this');
    writeConfig(box, { pipelines: [pipeline({ stages: [{ use: 'exec', with: { command: ['tr', 'a-z', 'A-Z'], stdin: true, stdout: true } }] })] });
    assert.equal((await runJson(box)).code, 0);
    assert.equal(box.read('outbox/a.txt')!.toString(), 'SHOUT THIS');
  });

  test('with stdout: true sluice writes the output itself, so SLUICE_OUTPUT is empty', async () => {
    box.write('inbox/a.txt', 'x');
    writeConfig(box, { pipelines: [pipeline({ stages: [{ use: 'exec', with: { command: ['/bin/sh', '-c', 'printf "[%s]" "$SLUICE_OUTPUT"'], stdout: true } }] })] });
    assert.equal((await runJson(box)).code, 0);
    assert.equal(box.read('outbox/a.txt')!.toString(), '[]');
  });

  test('a program that writes nothing fails the file with NO_OUTPUT, at once', async () => {
    box.write('inbox/a.txt', 'x');
    writeConfig(box, { pipelines: [pipeline({ retry: { attempts: 3, backoffMs: 5 }, stages: [{ use: 'exec', with: { command: ['true'] } }] })] });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    assert.equal(fileIn(report, 'a.txt').error?.code, 'NO_OUTPUT');
    assert.match(fileIn(report, 'a.txt').error!.message, /SLUICE_OUTPUT/);
    assert.deepEqual(box.files('outbox'), []);
    assert.deepEqual(box.files('inbox'), ['a.txt'], 'kept (onFailure: keep)');
  });
});
