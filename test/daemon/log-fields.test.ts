import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, type LogLine } from '../helpers/process.js';

// JSON logs carry level, message, time and, where they apply, pipeline, path, stage, attempt, durationMs and code;
// log.file writes the same JSON lines to a file whatever the stderr format.
describe('logs: fields and log.file', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const failBad = shStage('case "$1" in *bad.txt) echo "no good" >&2; exit 3;; esac; cp "$1" "$2"');

  function one(lines: LogLine[], what: string, test: (l: LogLine) => boolean): LogLine {
    const found = lines.filter(test);
    assert.equal(found.length, 1, `${what}:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
    return found[0]!;
  }

  test('every field where it applies: started, each stage, committed, disposal, processed, retry, failed, warnings', async () => {
    box.write('archive', 'a file where the archive folder should be');
    box.write('inbox/good.txt', 'good');
    box.write('inbox/bad.txt', 'bad');
    const config = box.config({
      pipelines: [pipeline({
        retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 20 }, onSuccess: { moveTo: './archive' },
        stages: [failBad, { use: 'copy' }],
      })],
    });
    const sluice = box.start(['run', '-c', config, ...debugJson]);
    assert.equal((await sluice.waitForExit(60_000)).code, 1, sluice.stderr);
    const lines = sluice.logs;
    assert.equal(lines.length, sluice.stderr.split('\n').length - 1, 'every stderr line is one JSON object');
    for (const l of lines) {
      assert.ok(['error', 'warn', 'info', 'debug'].includes(l.level), JSON.stringify(l));
      assert.equal(typeof l.message, 'string');
      assert.ok(!Number.isNaN(Date.parse(l.time)), JSON.stringify(l));
      if (l.path !== undefined && !l.path.startsWith('/')) assert.equal(l.pipeline, 'p', JSON.stringify(l));
    }
    const good = lines.filter((l) => l.path === 'good.txt');
    for (const step of [/^seen via scan$/, /^queued$/, /^started$/, /^stage exec done$/, /^stage copy done$/, /^committed /, /^processed → /]) {
      assert.ok(good.some((l) => step.test(l.message)), `good.txt: no ${step} line`);
    }
    assert.equal(one(good, 'started', (l) => l.message === 'started')['attempt'], 1);
    for (const stage of ['copy', 'exec']) {
      const done = one(good, `stage ${stage}`, (l) => l.message === `stage ${stage} done`);
      assert.equal(done['stage'], stage);
      assert.equal(done['attempt'], 1);
      assert.ok(Number.isInteger(done['durationMs']) && (done['durationMs'] as number) >= 0);
    }
    const processed = one(good, 'processed', (l) => l.message.startsWith('processed'));
    assert.equal(processed.level, 'info');
    assert.ok(Number.isInteger(processed['durationMs']));
    const warning = one(lines, 'the disposal warning', (l) => l.level === 'warn' && l['code'] === 'DISPOSE_FAILED');
    assert.match(warning.message, /could not dispose of .*good\.txt/);

    const bad = lines.filter((l) => l.path === 'bad.txt');
    assert.deepEqual(bad.filter((l) => l.message === 'started').map((l) => l['attempt']), [1, 2]);
    const retry = one(bad, 'retry', (l) => l.level === 'warn');
    assert.equal(retry['stage'], 'exec');
    assert.equal(retry['attempt'], 1);
    assert.equal(retry['code'], 'EXEC_FAILED');
    const failed = one(bad, 'failed', (l) => l.level === 'error');
    assert.equal(failed['stage'], 'exec');
    assert.equal(failed['attempt'], 2);
    assert.equal(failed['code'], 'EXEC_FAILED');
    assert.match(failed.message, /no good/);
    const scan = one(lines, 'scan done', (l) => /^scan of p done/.test(l.message));
    assert.equal(scan.pipeline, 'p');
    assert.ok(Number.isInteger(scan['durationMs']));
  });

  test('log.file gets JSON lines (with the lifecycle at debug) while stderr stays pretty', async () => {
    box.write('inbox/a.txt', 'a');
    const config = box.config({ log: { level: 'debug', file: './logs/sluice.log' }, pipelines: [pipeline({ onSuccess: 'delete' })] });
    const r = await box.run(['run', '-c', config]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^\S+ debug +queued/m, 'stderr is pretty');
    const file = box.read('logs/sluice.log')!.toString().split('\n').filter((l) => l !== '');
    const lines = file.map((l) => JSON.parse(l) as LogLine);
    for (const l of lines) assert.ok(l.level && typeof l.message === 'string' && !Number.isNaN(Date.parse(l.time)), JSON.stringify(l));
    const steps = lines.filter((l) => l.path === 'a.txt').map((l) => l.message);
    for (const step of [/^seen via scan$/, /^queued$/, /^started$/, /^stage copy done$/, /^committed /, /^input deleted$/, /^processed → /]) {
      assert.ok(steps.some((m) => step.test(m)), `no ${step} line in ${steps.join(' | ')}`);
    }
  });
});
