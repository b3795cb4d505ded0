import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, pipeline, runJson, Sandbox, writeConfig } from '../helpers/cli.js';

/**
 * A module transform that counts its invocations per input in `counts/<relPath>` and fails (a plain, transient Error;
 * a permanent one with `permanent: true`) while the count is at most `failTimes`; then it copies.
 */
const flaky = `import fs from 'node:fs';
import path from 'node:path';
export default async function (ctx) {
  const file = path.join(ctx.options.counts, ctx.source.relPath.replaceAll('/', '__'));
  fs.mkdirSync(ctx.options.counts, { recursive: true });
  fs.appendFileSync(file, 'x');
  const n = fs.readFileSync(file, 'utf8').length;
  if (n <= ctx.options.failTimes) throw Object.assign(new Error('planned failure number ' + n), { permanent: ctx.options.permanent === true });
  fs.copyFileSync(ctx.input, ctx.output);
}
`;

describe('sluice run: dispositions and failures', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
    box.write('flaky.mjs', flaky);
  });
  afterEach(async () => {
    await box.dispose();
  });

  const calls = (relPath: string) => box.read(`counts/${relPath.replaceAll('/', '__')}`)?.length ?? 0;
  const flakyStage = (failTimes: number, permanent = false) => ({ use: './flaky.mjs', with: { counts: box.path('counts'), failTimes, permanent } });

  test('onSuccess keep, delete and moveTo (the relative path is kept)', async () => {
    for (const d of ['keep', 'delete', 'move']) box.write(`in-${d}/sub/dir/x.txt`, d);
    writeConfig(box, {
      pipelines: [
        pipeline({ name: 'keep', input: { dir: './in-keep', settleMs: 0 }, output: { dir: './out/keep' }, onSuccess: 'keep' }),
        pipeline({ name: 'delete', input: { dir: './in-delete', settleMs: 0 }, output: { dir: './out/delete' }, onSuccess: 'delete' }),
        pipeline({ name: 'move', input: { dir: './in-move', settleMs: 0 }, output: { dir: './out/move' }, onSuccess: { moveTo: './archive' } }),
      ],
    });
    const { code, report } = await runJson(box);
    assert.equal(code, 0);
    assert.equal(report.processed, 3);
    assert.deepEqual(box.files('out'), ['delete/sub/dir/x.txt', 'keep/sub/dir/x.txt', 'move/sub/dir/x.txt']);
    assert.deepEqual(box.files('in-keep'), ['sub/dir/x.txt']);
    assert.deepEqual(box.files('in-delete'), []);
    assert.deepEqual(box.files('in-move'), []);
    assert.deepEqual(box.files('archive'), ['sub/dir/x.txt']);
    assert.equal(box.read('archive/sub/dir/x.txt')!.toString(), 'move');
    // Nothing is left to do: a second run sees no inputs to move or delete, and keeps the kept one unchanged.
    const again = await runJson(box);
    assert.deepEqual({ p: again.report.processed, u: again.report.unchanged, f: again.report.failed }, { p: 0, u: 1, f: 0 });
  });

  test('onFailure moveTo: the input moves, a sidecar <relPath>.error.json describes the failure, exit 1', async () => {
    box.write('inbox/sub/bad.json', '{ nope');
    box.write('inbox/good.json', '{}');
    writeConfig(box, {
      pipelines: [pipeline({ stages: [{ use: 'json' }], onSuccess: { moveTo: './done' }, onFailure: { moveTo: './failed' } })],
    });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    assert.deepEqual({ p: report.processed, f: report.failed }, { p: 1, f: 1 });
    assert.equal(fileIn(report, 'sub/bad.json').error?.code, 'INPUT_INVALID');
    assert.deepEqual(box.files('inbox'), []);
    assert.deepEqual(box.files('failed'), ['sub/bad.json', 'sub/bad.json.error.json']);
    assert.equal(box.read('failed/sub/bad.json')!.toString(), '{ nope');
    assert.deepEqual(box.files('done'), ['good.json']);
    assert.deepEqual(box.files('outbox'), ['good.json']);
    const sidecar = JSON.parse(box.read('failed/sub/bad.json.error.json')!.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sidecar).sort(), ['attempts', 'error', 'failedAt', 'pipeline', 'stage']);
    assert.equal(sidecar['pipeline'], 'p');
    assert.equal(sidecar['stage'], 'json');
    assert.equal(sidecar['attempts'], 1, 'invalid input is permanent: no retry');
    const error = sidecar['error'] as { code: string; message: string };
    assert.deepEqual(Object.keys(error).sort(), ['code', 'message']);
    assert.equal(error.code, 'INPUT_INVALID');
    assert.ok(error.message.length > 0);
    assert.ok(!Number.isNaN(Date.parse(sidecar['failedAt'] as string)), 'failedAt is a date');
  });

  test('transient failures are retried up to retry.attempts; the sidecar counts the attempts', async () => {
    box.write('inbox/a.txt', 'a');
    writeConfig(box, {
      pipelines: [pipeline({
        stages: [flakyStage(1000)], retry: { attempts: 3, backoffMs: 5, maxBackoffMs: 20 }, onFailure: { moveTo: './failed' },
      })],
    });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    assert.equal(calls('a.txt'), 3);
    assert.equal(fileIn(report, 'a.txt').error?.code, 'TRANSFORM_FAILED');
    assert.match(fileIn(report, 'a.txt').error!.message, /planned failure number 3/);
    const sidecar = JSON.parse(box.read('failed/a.txt.error.json')!.toString()) as { attempts: number; stage: string };
    assert.equal(sidecar.attempts, 3);
    assert.equal(sidecar.stage, './flaky.mjs');
  });

  test('a file that fails its first attempts succeeds on a later one', async () => {
    box.write('inbox/a.txt', 'payload');
    writeConfig(box, { pipelines: [pipeline({ stages: [flakyStage(2)], retry: { attempts: 3, backoffMs: 5, maxBackoffMs: 20 } })] });
    const { code, report } = await runJson(box);
    assert.equal(code, 0, JSON.stringify(report));
    assert.equal(fileIn(report, 'a.txt').outcome, 'processed');
    assert.equal(calls('a.txt'), 3);
    assert.equal(box.read('outbox/a.txt')!.toString(), 'payload');
  });

  test('attempts: 1 means no retry', async () => {
    box.write('inbox/a.txt', 'payload');
    writeConfig(box, { pipelines: [pipeline({ stages: [flakyStage(1)], retry: { attempts: 1, backoffMs: 5 } })] });
    assert.equal((await runJson(box)).code, 1);
    assert.equal(calls('a.txt'), 1);
  });

  test('a permanently failed file kept in place is not retried by later runs until it changes', async () => {
    box.write('inbox/a.txt', 'v1');
    box.write('inbox/b.txt', 'b');
    writeConfig(box, { pipelines: [pipeline({ stages: [flakyStage(1000, true)], retry: { attempts: 2, backoffMs: 5 } })] });
    const first = await runJson(box);
    assert.equal(first.code, 1);
    assert.equal(calls('a.txt'), 1, 'permanent: no second attempt');
    const second = await runJson(box);
    assert.equal(calls('a.txt'), 1, 'not invoked again');
    assert.equal(calls('b.txt'), 1);
    const a = fileIn(second.report, 'a.txt');
    assert.equal(a.outcome, 'failed');
    assert.equal(a.error?.code, 'TRANSFORM_FAILED', 'the recorded error is reported');
    assert.deepEqual(box.files('inbox'), ['a.txt', 'b.txt']);
    assert.deepEqual(box.files().filter((f) => f.endsWith('.error.json')), [], 'onFailure keep writes no sidecar');
    box.write('inbox/a.txt', 'v2 changed');
    await runJson(box);
    assert.equal(calls('a.txt'), 2, 'a changed file is tried again');
    assert.equal(calls('b.txt'), 1);
  });

  test('a transient failure comes back by itself: the next run tries it again with the full retry.attempts', async () => {
    box.write('inbox/a.txt', 'a');
    writeConfig(box, { pipelines: [pipeline({ stages: [flakyStage(3)], retry: { attempts: 2, backoffMs: 5 } })] });
    const first = await runJson(box);
    assert.equal(first.code, 1);
    assert.equal(calls('a.txt'), 2);
    assert.equal(fileIn(first.report, 'a.txt').outcome, 'failed');
    const second = await runJson(box);
    assert.equal(calls('a.txt'), 4, 'two more attempts, untouched by the user');
    assert.equal(second.code, 0);
    assert.equal(fileIn(second.report, 'a.txt').outcome, 'processed');
    assert.equal(box.read('outbox/a.txt')?.toString(), 'a');
    const third = await runJson(box);
    assert.equal(fileIn(third.report, 'a.txt').outcome, 'unchanged');
    assert.equal(calls('a.txt'), 4);
  });
});
