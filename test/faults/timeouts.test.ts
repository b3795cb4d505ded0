import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, runJson } from '../helpers/cli.js';
import { debugJson, pipeline, Sandbox, shStage, waitFor, type SluiceProcess } from '../helpers/process.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A stage past its timeoutMs is cut off: a module's AbortSignal fires with STAGE_TIMEOUT, an exec child is killed (even
// one that ignores SIGTERM), nothing it writes late survives; and shutdown kills such children too.
describe('stage timeouts and cancellation', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const config = (stage: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    box.write('sluice.yaml', JSON.stringify({
      pipelines: [pipeline({ retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 20 }, stages: [stage] })], ...extra,
    }));
  };

  /** Pids the stage's programs wrote to ./pids, one a line. */
  const pids = () => (box.read('pids')?.toString() ?? '').split('\n').filter(Boolean).map(Number);

  test("a module that never returns: its signal fires with STAGE_TIMEOUT at timeoutMs on every attempt", async () => {
    box.write('hang.mjs', `import fs from 'node:fs';
export default async function hang(ctx) {
  ctx.signal.addEventListener('abort', () => fs.appendFileSync(ctx.options.marker, ctx.signal.reason.code + '\\n'));
  await new Promise(() => {});
}
`);
    box.write('inbox/a.txt', 'a');
    config({ use: './hang.mjs', timeoutMs: 300, with: { marker: box.path('aborted') } });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    assert.equal(fileIn(report, 'a.txt').error?.code, 'STAGE_TIMEOUT');
    assert.equal(box.read('aborted')?.toString(), 'STAGE_TIMEOUT\nSTAGE_TIMEOUT\n', 'the signal fired once per attempt');
    assert.deepEqual(box.files('outbox'), []);
  });

  test('a module that ignores its signal and keeps the event loop busy is still cut off, and the run exits', async () => {
    box.write('busy.mjs', `export default function busy() { setInterval(() => {}, 50); return new Promise(() => {}); }\n`);
    box.write('inbox/a.txt', 'a');
    config({ use: './busy.mjs', timeoutMs: 200 });
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    assert.equal(fileIn(report, 'a.txt').error?.code, 'STAGE_TIMEOUT');
  });

  for (const [label, script] of [
    ['that exits on SIGTERM', `echo $$ >> ${JSON.stringify('PIDS')}; exec sleep 60`],
    ['that ignores SIGTERM and keeps writing its output', `trap "" TERM; echo $$ >> PIDS; while :; do echo x >> "$2"; sleep 0.05; done`],
  ] as const) {
    test(`an exec child ${label} is killed at timeoutMs; nothing it writes late is left behind`, async () => {
      box.write('inbox/a.txt', 'a');
      config(shStage(script.replace('PIDS', box.path('pids')), { timeoutMs: 300 }));
      const { code, report } = await runJson(box);
      assert.equal(code, 1);
      assert.equal(fileIn(report, 'a.txt').error?.code, 'STAGE_TIMEOUT');
      assert.equal(pids().length, 2, 'two attempts');
      for (const pid of pids()) assert.equal(alive(pid), false, `child ${pid} is gone when the run exits`);
      assert.deepEqual(box.files('outbox'), [], 'no output and no temp file');
    });
  }

  test('watch: a timed-out exec child that ignores SIGTERM is gone and its temp removed before the retry', async () => {
    box.write('inbox/a.txt', 'a');
    config(shStage(`trap "" TERM; echo $$ >> ${box.path('pids')}; while :; do echo x >> "$2"; sleep 0.05; done`, { timeoutMs: 300 }),
      { rescanIntervalMs: 0 });
    const sluice = box.start(['watch', '-c', box.path('sluice.yaml'), ...debugJson]);
    const failed = await sluice.waitForLog('a.txt failed', (l) => l.path === 'a.txt' && l.level === 'error');
    assert.equal(failed['code'], 'STAGE_TIMEOUT');
    for (const pid of pids()) assert.equal(alive(pid), false, `child ${pid} is gone once the file has failed`);
    assert.deepEqual(box.files('outbox'), [], 'no temp file survives the attempt');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  for (const signals of [['SIGTERM'], ['SIGTERM', 'SIGINT']] as const) {
    test(`watch: ${signals.join(' then ')} during long work with a child that ignores SIGTERM: exit 0, child gone, no partial output`, async () => {
      const script = `trap "" TERM; echo $$ >> ${box.path('pids')}; echo partial > "$2"; while :; do sleep 0.05; done`;
      // A grace long enough that only the second signal can end the wait, when there is one.
      config(shStage(script), { shutdownGraceMs: signals.length === 2 ? 120_000 : 300 });
      const sluice: SluiceProcess = box.start(['watch', '-c', box.path('sluice.yaml'), ...debugJson]);
      await sluice.ready();
      box.write('inbox/long.txt', 'long job');
      await waitFor('the child to start', () => pids().length === 1);
      sluice.kill(signals[0]);
      if (signals.length === 2) {
        await sluice.waitForLog('the drain to begin', (l) => /^stopping: 1 job/.test(l.message));
        sluice.kill(signals[1]);
      }
      assert.deepEqual(await sluice.waitForExit(20_000), { code: 0, signal: null }, sluice.stderr);
      assert.equal(alive(pids()[0]!), false, 'the child is gone when sluice has exited');
      assert.deepEqual(box.files('outbox'), [], 'no output, no temp file');
      assert.equal(box.read('inbox/long.txt')?.toString(), 'long job');
    });
  }
});
