import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { hasStackTrace, pipeline, runJson, Sandbox, writeConfig, type RunReport } from '../helpers/cli.js';

// `run --report FILE` writes exactly the `--json` object to FILE (temp + rename), with or without --json.
describe('sluice run --report', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
    writeConfig(box, {
      pipelines: [pipeline({ stages: [{ use: 'json' }], input: { dir: './inbox', include: ['*.json'], settleMs: 0 } })],
    });
    box.write('inbox/good.json', '{"a":1}');
    box.write('inbox/bad.json', '{ not json');
    box.write('reports/.keep', '');
  });
  afterEach(async () => {
    await box.dispose();
  });

  const readReport = (rel: string) => JSON.parse(box.read(rel)!.toString()) as RunReport;

  test('with --json: FILE holds exactly what stdout printed', async () => {
    const r = await runJson(box, ['--report', 'reports/run.json']);
    assert.equal(r.code, 1, 'one file failed');
    assert.equal(box.read('reports/run.json')!.toString(), r.stdout);
    assert.deepEqual(readReport('reports/run.json'), r.report);
    assert.equal(r.report.processed, 1);
    assert.equal(r.report.failed, 1);
    assert.deepEqual(box.files('reports'), ['.keep', 'run.json'], 'no temp file is left behind');
  });

  test('without --json: stdout stays empty and FILE holds the report; an existing FILE is replaced', async () => {
    box.write('reports/run.json', 'old');
    const r = await box.run(['run', '--report', box.path('reports/run.json')]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    const report = readReport('reports/run.json');
    assert.deepEqual(Object.keys(report).sort(), ['durationMs', 'failed', 'files', 'processed', 'unchanged']);
    assert.deepEqual(report.files.map((f) => `${f.path} ${f.outcome}`).sort(), ['bad.json failed', 'good.json processed']);
    assert.equal(report.files.find((f) => f.outcome === 'failed')?.error?.code, 'INPUT_INVALID');
  });

  test('a FILE that cannot be written is refused before anything is processed (exit 2, clear message)', async () => {
    for (const target of ['missing/run.json', 'reports', 'inbox/good.json/x.json']) {
      const r = await box.run(['run', '--report', target]);
      assert.equal(r.code, 2, `${target}: ${r.stderr}`);
      assert.match(r.stderr, /cannot write the run report to /);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      assert.equal(r.stdout, '');
    }
    assert.equal(fs.existsSync(box.path('outbox')), false, 'nothing was processed');
  });

  test('--dry-run --report writes the dry-run object', async () => {
    const r = await box.run(['run', '--dry-run', '--report', 'reports/plan.json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(box.read('reports/plan.json')!.toString()) as { dryRun: boolean; files: { path: string }[] };
    assert.equal(plan.dryRun, true);
    assert.deepEqual(plan.files.map((f) => f.path).sort(), ['bad.json', 'good.json']);
  });
});
