import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { makeTempDir, writeConfigIn } from '../helpers/cli.js';
import { accepted, pipe, refused, type Obj } from '../helpers/config-refusals.js';

describe('config refusals (each names its key path)', () => {
  test('unknown keys at every depth', async (t) => {
    await refused(t, { pipelines: [pipe()], colour: true }, 'colour');
    await refused(t, { log: { lvl: 'info' }, pipelines: [pipe()] }, 'log.lvl');
    await refused(t, { pipelines: [pipe({ input: { dir: './in', settle: 5 } })] }, 'pipelines[0].input.settle');
    await refused(t, { pipelines: [pipe({ retry: { tries: 2 } })] }, 'pipelines[0].retry.tries');
    await refused(t, { pipelines: [pipe({ stages: [{ use: 'copy', options: {} }] })] }, 'pipelines[0].stages[0].options');
    await refused(t, { pipelines: [pipe({ onSuccess: { moveTo: './a', also: 1 } })] }, 'pipelines[0].onSuccess.also');
    await refused(t, { pipelines: [pipe(), pipe({ name: 'q', output: { dir: './o2', format: 'x' } })] },
      'pipelines[1].output.format');
  });

  test('wrong types', async (t) => {
    await refused(t, { pipelines: [pipe({ input: { dir: './in', settleMs: 'fast' } })] }, 'pipelines[0].input.settleMs');
    await refused(t, { pipelines: [pipe({ input: { dir: './in', settleMs: -1 } })] }, 'pipelines[0].input.settleMs');
    await refused(t, { queue: { capacity: 0 }, pipelines: [pipe()] }, 'queue.capacity');
    await refused(t, { stateDir: 5, pipelines: [pipe()] }, 'stateDir');
    await refused(t, { pipelines: [pipe({ retry: { attempts: 1.5 } })] }, 'pipelines[0].retry.attempts');
    await refused(t, { pipelines: [pipe({ output: { dir: './out', mode: 'overwrite' } })] }, 'pipelines[0].output.mode');
    await refused(t, { pipelines: [pipe({ onSuccess: 'archive' })] }, 'pipelines[0].onSuccess');
    await refused(t, { pipelines: [pipe({ onFailure: 'delete' })] }, 'pipelines[0].onFailure');
    await refused(t, { pipelines: [pipe({ stages: [] })] }, 'pipelines[0].stages');
    await refused(t, { pipelines: [] }, 'pipelines');
    await refused(t, { log: { level: 'verbose' }, pipelines: [pipe()] }, 'log.level');
  });

  test('duplicate pipeline names', async (t) => {
    await refused(t, { pipelines: [pipe(), pipe({ input: { dir: './in2' }, output: { dir: './o2' } })] }, 'pipelines[1].name');
  });

  test('bad name characters', async (t) => {
    for (const name of ['My-Pipe', 'a b', 'a_b', 'ä', '']) await refused(t, { pipelines: [pipe({ name })] }, 'pipelines[0].name');
    await accepted(t, { pipelines: [pipe({ name: 'a-1-b' })] });
  });

  test('an unknown placeholder in output.path', async (t) => {
    const problems = await refused(t, { pipelines: [pipe({ output: { dir: './out', path: '{relDir}/{file}' } })] },
      'pipelines[0].output.path');
    assert.match(problems.join('\n'), /\{file\}/);
  });

  test('a template that can escape output.dir: ".." or absolute', async (t) => {
    for (const p of ['../x', '../{base}', '{relDir}/../../{base}', '/tmp/{base}']) {
      await refused(t, { pipelines: [pipe({ output: { dir: './out', path: p } })] }, 'pipelines[0].output.path');
    }
  });

  test('overlapping inputs are refused when either pipeline moves or deletes', async (t) => {
    const a = pipe({ name: 'a', output: { dir: './oa' } });
    const b = (over: Obj) => pipe({ name: 'b', output: { dir: './ob' }, ...over });
    await refused(t, { pipelines: [a, b({ onSuccess: 'delete' })] }, 'pipelines[1].input');
    await refused(t, { pipelines: [a, b({ onFailure: { moveTo: './failed' } })] }, 'pipelines[1].input');
    await refused(t, { pipelines: [{ ...a, onSuccess: { moveTo: './done' } }, b({ input: { dir: './in/sub' } })] },
      'pipelines[1].input');
  });

  test('overlapping inputs are accepted when both keep, or includes are disjoint extensions', async (t) => {
    const a = pipe({ name: 'a', output: { dir: './oa' } });
    await accepted(t, { pipelines: [a, pipe({ name: 'b', output: { dir: './ob' } })] });
    await accepted(t, {
      pipelines: [
        { ...a, input: { dir: './in', include: ['**/*.csv'] }, onSuccess: 'delete' },
        pipe({ name: 'b', input: { dir: './in', include: ['*.json', '**/*.xml'] }, output: { dir: './ob' }, onSuccess: 'delete' }),
      ],
    });
    await refused(t, {
      pipelines: [
        { ...a, input: { dir: './in', include: ['**/*.csv'] }, onSuccess: 'delete' },
        pipe({ name: 'b', input: { dir: './in', include: ['**/*.csv', '*.json'] }, output: { dir: './ob' } }),
      ],
    }, 'pipelines[1].input');
  });

  test('output.dir or a moveTo folder equal to (or containing) the input folder', async (t) => {
    await refused(t, { pipelines: [pipe({ output: { dir: './in' } })] }, 'pipelines[0].output.dir');
    await refused(t, { pipelines: [pipe({ output: { dir: '.' } })] }, 'pipelines[0].output.dir');
    await refused(t, { pipelines: [pipe({ onSuccess: { moveTo: './in/' } })] }, 'pipelines[0].onSuccess.moveTo');
    await refused(t, { pipelines: [pipe({ onFailure: { moveTo: './in' } })] }, 'pipelines[0].onFailure.moveTo');
    // A subfolder of the input is excluded from it automatically, so it is allowed.
    await accepted(t, { pipelines: [pipe({ output: { dir: './in/out' }, onSuccess: { moveTo: './in/done' } })] });
  });

  test('an unknown transform', async (t) => {
    await refused(t, { pipelines: [pipe({ stages: [{ use: 'zip' }] })] }, 'pipelines[0].stages[0].use');
    await refused(t, { pipelines: [pipe({ stages: [{ use: './missing.mjs' }] })] }, 'pipelines[0].stages[0].use');
  });

  test("bad transform options, checked by the transform's own schema", async (t) => {
    const stages = (...s: Obj[]) => ({ pipelines: [pipe({ stages: s })] });
    await refused(t, stages({ use: 'gzip', with: { level: 12 } }), 'pipelines[0].stages[0].with.level');
    await refused(t, stages({ use: 'copy' }, { use: 'gzip', with: { lvl: 1 } }), 'pipelines[0].stages[1].with.lvl');
    await refused(t, stages({ use: 'replace', with: { pattern: '(' } }), 'pipelines[0].stages[0].with.pattern');
    await refused(t, stages({ use: 'exec', with: { command: [] } }), 'pipelines[0].stages[0].with.command');
    await refused(t, stages({ use: 'exec', with: { command: ['x'], permanentExitCodes: [0] } }), 'pipelines[0].stages[0].with.permanentExitCodes[0]');
    await refused(t, stages({ use: 'exec', with: { command: ['x'], env: { SLUICE_INPUT: 'x' } } }), 'pipelines[0].stages[0].with.env.SLUICE_INPUT');
    await refused(t, stages({ use: 'json', with: { indent: 'two' } }), 'pipelines[0].stages[0].with.indent');
  });

  test('every violation is reported at once', async (t) => {
    const problems = await refused(t, {
      pipelines: [
        pipe({ name: 'Bad Name', output: { dir: './out', path: '{nope}' }, stages: [{ use: 'gzip', with: { level: 12 } }] }),
        pipe({ name: 'q', input: { dir: './in2' }, output: { dir: './o2' }, stages: [{ use: 'zip' }] }),
      ],
    }, 'pipelines[0].name');
    assert.ok(problems.length >= 1);
    const two = await refused(t, {
      pipelines: [pipe({ output: { dir: './out', path: '{nope}.txt' }, stages: [{ use: 'gzip', with: { level: 12 } }, { use: 'zip' }] })],
    }, 'pipelines[0].output.path', 'pipelines[0].stages[0].with.level', 'pipelines[0].stages[1].use');
    assert.equal(two.length, 3);
  });

  test('schema violations and transform or template problems are reported together', async (t) => {
    await refused(t, {
      pipelines: [pipe({ input: { dir: './in', settle: 1 }, output: { dir: './out', path: '{nope}' }, stages: [{ use: 'gzip', with: { level: 12 } }] })],
    }, 'pipelines[0].input.settle', 'pipelines[0].output.path', 'pipelines[0].stages[0].with.level');
    await refused(t, { queue: { capacity: -1 }, pipelines: [pipe(), pipe({ output: { dir: './o2' } })] },
      'queue.capacity', 'pipelines[1].name');
  });
});

describe('config resolution', () => {
  test('defaults are filled in and relative paths resolve against the config file folder', async (t) => {
    const dir = makeTempDir(t);
    const file = writeConfigIn(dir, { pipelines: [{ name: 'p', stages: [{ use: 'gzip' }] }] }, 'conf/sub/sluice.yaml');
    const config = await loadConfig({ config: 'conf/sub/sluice.yaml', cwd: dir });
    const base = path.dirname(file);
    assert.equal(config.file, file);
    assert.equal(config.stateDir, path.join(base, '.sluice'));
    const [p] = config.pipelines;
    assert.equal(p!.input.dir, path.join(base, 'inbox'));
    assert.equal(p!.output.dir, path.join(base, 'outbox'));
    assert.deepEqual(p!.input.include, ['**/*']);
    assert.equal(p!.input.settleMs, 1000);
    assert.equal(p!.output.template.source, '{relDir}/{base}');
    assert.equal(p!.output.mode, 'replace');
    assert.deepEqual(p!.onSuccess, { kind: 'keep' });
    assert.deepEqual(p!.retry, { attempts: 3, backoffMs: 1000, maxBackoffMs: 60000 });
    assert.deepEqual(p!.stages[0]!.options, { level: 6 });
    assert.equal(p!.stages[0]!.concurrency, 2);
    assert.equal(p!.stages[0]!.timeoutMs, 600000);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(p));
  });

  test('the pipeline hash changes with a stage option, not with log settings', async (t) => {
    const dir = makeTempDir(t);
    const hash = async (config: Obj) => {
      writeConfigIn(dir, config);
      return (await loadConfig({ config: 'sluice.yaml', cwd: dir })).pipelines[0]!.hash;
    };
    const base = { pipelines: [pipe({ stages: [{ use: 'gzip', with: { level: 6 } }] })] };
    const h = await hash(base);
    assert.equal(await hash({ ...base, log: { level: 'debug', format: 'json' } }), h);
    assert.notEqual(await hash({ pipelines: [pipe({ stages: [{ use: 'gzip', with: { level: 1 } }] })] }), h);
    assert.notEqual(await hash({ pipelines: [pipe({ output: { dir: './out', path: '{base}.x' }, stages: [{ use: 'gzip', with: { level: 6 } }] })] }), h);
  });
});
