import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { hasStackTrace, runJson, Sandbox } from '../helpers/cli.js';

// `sluice init` writes a commented starter ./sluice.yaml that `check` (without -c) accepts and `run` uses as is.
describe('sluice init', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('writes a commented ./sluice.yaml that check finds without -c and accepts', async () => {
    const r = await box.run(['init']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*sluice\.yaml/);
    const text = box.read('sluice.yaml')!.toString();
    assert.ok(text.split('\n').filter((l) => l.includes('#')).length >= 20, 'the starter explains its keys in comments');
    const raw = parse(text) as Record<string, unknown>;
    for (const key of ['stateDir', 'log', 'queue', 'rescanIntervalMs', 'shutdownGraceMs', 'pipelines']) assert.ok(key in raw, key);
    const check = await box.run(['check', '--json']);
    assert.equal(check.code, 0, check.stderr);
    const checked = JSON.parse(check.stdout) as { valid: boolean; file: string; config: { pipelines: { name: string }[] } };
    assert.equal(checked.valid, true);
    assert.equal(checked.file, box.path('sluice.yaml'));
    assert.deepEqual(checked.config.pipelines.map((p) => p.name), ['compress']);
  });

  test('run works with the starter: gzips inbox into outbox and archives the input', async () => {
    assert.equal((await box.run(['init'])).code, 0);
    box.write('inbox/sub/hello.txt', 'hello from the starter\n');
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    assert.equal(report.processed, 1);
    assert.equal(gunzipSync(box.read('outbox/sub/hello.txt.gz')!).toString(), 'hello from the starter\n');
    assert.equal(box.read('archive/sub/hello.txt')!.toString(), 'hello from the starter\n');
    assert.deepEqual(box.files('inbox'), []);
  });

  test('refuses to overwrite an existing sluice.yaml (exit 2, file untouched); --force replaces it', async () => {
    box.write('sluice.yaml', '# mine\n');
    const refused = await box.run(['init']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /sluice\.yaml already exists.*--force/);
    assert.ok(!hasStackTrace(refused.stderr), refused.stderr);
    assert.equal(refused.stdout, '');
    assert.equal(box.read('sluice.yaml')!.toString(), '# mine\n');
    const forced = await box.run(['init', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(box.read('sluice.yaml')!.toString(), /pipelines:/);
    assert.deepEqual(box.files().filter((f) => f !== 'sluice.yaml'), [], 'no temp file is left behind');
  });
});
