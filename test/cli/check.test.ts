import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { hasStackTrace, pipeline, Sandbox, writeConfig, type Finished } from '../helpers/cli.js';

interface CheckJson {
  valid: true;
  file: string | null;
  config: {
    stateDir: string;
    log: { level: string; format: string; file: string | null };
    queue: { capacity: number };
    rescanIntervalMs: number;
    shutdownGraceMs: number;
    pipelines: {
      name: string;
      input: { dir: string; include: string[]; exclude: string[]; settleMs: number };
      output: { dir: string; path: string; mode: string };
      onSuccess: unknown;
      onFailure: unknown;
      retry: { attempts: number; backoffMs: number; maxBackoffMs: number };
      stages: { use: string; with: unknown; concurrency: number; timeoutMs: number }[];
    }[];
  };
}

/** A refusal: exit 2, nothing on stdout, no stack trace, and stderr names every key (or line) given. */
function assertRefused(r: Finished, ...named: (string | RegExp)[]): void {
  assert.equal(r.code, 2, `exit code; stderr:\n${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.ok(!hasStackTrace(r.stderr), `stack trace in stderr:\n${r.stderr}`);
  for (const n of named) {
    if (typeof n === 'string') assert.ok(r.stderr.includes(n), `stderr does not name ${n}:\n${r.stderr}`);
    else assert.match(r.stderr, n);
  }
}

describe('sluice check', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const check = async (args: string[] = []) => {
    const r = await box.run(['check', '--json', ...args]);
    assert.equal(r.code, 0, `check failed:\n${r.stderr}`);
    return JSON.parse(r.stdout) as CheckJson;
  };

  test('--json prints the resolved config: absolute paths and every default', async () => {
    writeConfig(box, { pipelines: [{ name: 'p', stages: [{ use: 'gzip' }] }] });
    const out = await check();
    assert.equal(out.valid, true);
    assert.equal(out.file, box.path('sluice.yaml'));
    const c = out.config;
    assert.equal(c.stateDir, box.path('.sluice'));
    assert.deepEqual(c.log, { level: 'info', format: 'pretty', file: null });
    assert.deepEqual(c.queue, { capacity: 1000 });
    assert.equal(c.rescanIntervalMs, 300000);
    assert.equal(c.shutdownGraceMs, 30000);
    assert.deepEqual(c.pipelines, [{
      name: 'p',
      input: { dir: box.path('inbox'), include: ['**/*'], exclude: [], settleMs: 1000, marker: null },
      output: { dir: box.path('outbox'), path: '{relDir}/{base}', mode: 'replace', maxFiles: 10000, marker: null, conflict: 'replace' },
      onSuccess: 'keep',
      onFailure: 'keep',
      retry: { attempts: 3, backoffMs: 1000, maxBackoffMs: 60000 },
      stages: [{ use: 'gzip', with: { level: 6 }, concurrency: 2, timeoutMs: 600000 }],
    }]);
  });

  test('without --json it prints the resolved config as YAML and exits 0', async () => {
    writeConfig(box, { pipelines: [pipeline({ onSuccess: { moveTo: './done' } })] });
    const r = await box.run(['check']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(box.path('done')), r.stdout);
    assert.match(r.stdout, /pipelines:/);
  });

  test('relative paths resolve against the config file folder, not the working directory', async () => {
    writeConfig(box, { stateDir: 'state', pipelines: [pipeline({ onFailure: { moveTo: '../failed' } })] }, 'conf/x.yaml');
    const { file, config } = await check(['-c', 'conf/x.yaml']);
    assert.equal(file, box.path('conf/x.yaml'));
    assert.equal(config.stateDir, box.path('conf/state'));
    assert.equal(config.pipelines[0]!.input.dir, box.path('conf/inbox'));
    assert.equal(config.pipelines[0]!.output.dir, box.path('conf/outbox'));
    assert.deepEqual(config.pipelines[0]!.onFailure, { moveTo: box.path('failed') });
  });

  test('discovery: -c, then ./sluice.yaml, ./sluice.yml, ./sluice.json, then the built-in default', async () => {
    const named = (name: string) => ({ pipelines: [pipeline({ name })] });
    const builtin = await check();
    assert.equal(builtin.file, null);
    assert.equal(builtin.config.pipelines[0]!.name, 'compress');
    assert.equal(builtin.config.pipelines[0]!.input.dir, box.path('inbox'), 'the default resolves against the cwd');
    assert.deepEqual(builtin.config.pipelines[0]!.onSuccess, { moveTo: box.path('archive') });

    writeConfig(box, named('from-json'), 'sluice.json');
    assert.equal((await check()).config.pipelines[0]!.name, 'from-json');
    writeConfig(box, named('from-yml'), 'sluice.yml');
    assert.equal((await check()).config.pipelines[0]!.name, 'from-yml');
    writeConfig(box, named('from-yaml'), 'sluice.yaml');
    assert.equal((await check()).config.pipelines[0]!.name, 'from-yaml');
    writeConfig(box, named('explicit'), 'other.yml');
    assert.equal((await check(['-c', 'other.yml'])).config.pipelines[0]!.name, 'explicit');
    assert.equal((await check(['--config', box.path('other.yml')])).file, box.path('other.yml'));
  });

  test('a .json config is read as JSON, and its errors are JSON errors naming the line', async () => {
    writeConfig(box, { pipelines: [pipeline({ name: 'j' })] }, 'conf.json');
    assert.equal((await check(['-c', 'conf.json'])).config.pipelines[0]!.name, 'j');
    box.write('bad.json', '{\n  "pipelines": [\n    { "name": "p", }\n  ]\n}\n');
    assertRefused(await box.run(['check', '-c', 'bad.json']), /line 3/);
    // YAML that is not JSON is refused in a .json file.
    box.write('yaml.json', 'pipelines:\n  - name: p\n');
    assertRefused(await box.run(['check', '-c', 'yaml.json']));
  });
});

describe('config errors: exit 2, one paragraph naming the key path or line, no stack trace', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('an unknown key names its path, in check and run alike', async () => {
    writeConfig(box, { pipelines: [pipeline({ input: { dir: './inbox', settle: 100 } })] });
    assertRefused(await box.run(['check']), 'pipelines[0].input.settle');
    assertRefused(await box.run(['run']), 'pipelines[0].input.settle');
    assertRefused(await box.run(['run', '--json']), 'pipelines[0].input.settle');
    assertRefused(await box.run(['run', '--dry-run']), 'pipelines[0].input.settle');
  });

  test('a YAML syntax error names the line', async () => {
    box.write('sluice.yaml', 'pipelines:\n  - name: p\n    stages: [ { use: copy }\n  - name: q\n');
    assertRefused(await box.run(['check']), /line \d+/);
    box.write('sluice.yaml', 'pipelines:\n  - name: p\n    stages:\n      - use: copy\n     with: {}\n');
    assertRefused(await box.run(['check']), /line 5/);
  });

  test('unknown transform and bad transform options name the stage key', async () => {
    writeConfig(box, { pipelines: [pipeline({ stages: [{ use: 'gzip', with: { level: 12 } }, { use: 'zipper' }] })] });
    assertRefused(await box.run(['check']), 'pipelines[0].stages[0].with.level', 'pipelines[0].stages[1].use', 'zipper');
  });

  test('every violation is reported at once', async () => {
    writeConfig(box, {
      queue: { capacity: 'big' },
      pipelines: [
        pipeline({ output: { dir: './outbox', path: '../{base}' } }),
        pipeline({ input: { dir: './inbox' }, onSuccess: 'delete', output: { dir: './o2' } }),
      ],
    });
    assertRefused(await box.run(['check']), 'queue.capacity', 'pipelines[0].output.path', 'pipelines[1].name');
    writeConfig(box, {
      pipelines: [
        pipeline({ output: { dir: './outbox', path: '../{base}' } }),
        pipeline({ onSuccess: 'delete', output: { dir: './o2' } }),
      ],
    });
    assertRefused(await box.run(['check']), 'pipelines[0].output.path', 'pipelines[1].name', 'pipelines[1].input');
  });

  test('a missing -c file, an empty file and a non-mapping are config errors', async () => {
    assertRefused(await box.run(['check', '-c', 'nope.yaml']), 'nope.yaml');
    assertRefused(await box.run(['run', '-c', 'nope.yaml']), 'nope.yaml');
    box.write('empty.yaml', '');
    assertRefused(await box.run(['check', '-c', 'empty.yaml']));
    box.write('list.yaml', '- a\n- b\n');
    assertRefused(await box.run(['check', '-c', 'list.yaml']));
  });

  test('usage errors exit 2; --version and --help exit 0', async () => {
    assert.equal((await box.run(['frobnicate'])).code, 2);
    assert.equal((await box.run(['run', '--no-such-flag'])).code, 2);
    assert.equal((await box.run(['--log-level', 'loud', 'check'])).code, 2);
    const version = await box.run(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const help = await box.run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /run/);
  });
});
