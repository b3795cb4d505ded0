import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, type SluiceProcess } from '../helpers/process.js';

// SIGTERM / SIGINT: stop intake, let in-flight work finish within shutdownGraceMs, abort the rest (inputs untouched),
// exit 0; a second signal aborts at once.
describe('sluice watch: shutdown on SIGTERM and SIGINT', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  // Sleeps 30 s while the flag file exists (exec replaces the shell, so the stage's child is `sleep` itself), then copies.
  const slowWhileFlagged = () => shStage('if [ -e slow.flag ]; then exec sleep 30; fi; cp "$1" "$2"');

  function start(graceMs: number, stage: Record<string, unknown>): SluiceProcess {
    const config = box.config({
      shutdownGraceMs: graceMs,
      pipelines: [pipeline({ onSuccess: { moveTo: './archive' }, stages: [stage] })],
    });
    return box.start(['watch', '-c', config, ...debugJson]);
  }

  async function startedJob(sluice: SluiceProcess, name: string, content: string): Promise<void> {
    await sluice.ready();
    // Written under a dot-name (excluded) and renamed in: with settleMs 0 a job could otherwise start on the file while
    // it is still empty, then (rightly) refuse to commit the changed input after the drain began.
    box.write(`inbox/.${name}`, content);
    fs.renameSync(box.path(`inbox/.${name}`), box.path(`inbox/${name}`));
    await sluice.waitForLog(`${name} started`, (l) => l.path === name && l.message === 'started');
  }

  /** No output, no temp file anywhere, the input untouched in the inbox. */
  function assertLeftForNextTime(name: string, content: string): void {
    assert.equal(box.read(`inbox/${name}`)?.toString(), content, 'the input stays in the inbox');
    assert.deepEqual(box.files('outbox'), [], 'no output and no temp file in the output folder');
    assert.deepEqual(box.files('archive'), []);
    const leftovers = box.files().filter((f) => /\.(tmp|part)$|sluice-(tmp|write|move)/.test(f));
    assert.deepEqual(leftovers, [], 'no temp file anywhere');
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal}: a job that finishes within the grace is committed, then sluice exits 0`, async () => {
      const sluice = start(20_000, shStage('sleep 1; cp "$1" "$2"'));
      await startedJob(sluice, 'job.txt', 'finished in time');
      const sent = Date.now();
      sluice.kill(signal);
      const exit = await sluice.waitForExit(15_000);
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(Date.now() - sent < 15_000);
      assert.equal(box.read('outbox/job.txt')?.toString(), 'finished in time');
      assert.equal(box.read('archive/job.txt')?.toString(), 'finished in time');
      assert.deepEqual(box.files('inbox'), []);
      assert.equal(sluice.stdout, '');
    });

    test(`${signal}: a job that outlasts shutdownGraceMs is aborted, leaves nothing behind, and the next run does it`, async () => {
      box.write('slow.flag', '');
      const sluice = start(500, slowWhileFlagged());
      await startedJob(sluice, 'long.txt', 'long job');
      const sent = Date.now();
      sluice.kill(signal);
      const exit = await sluice.waitForExit(15_000);
      // The grace (0.5 s) plus the exec stage's SIGTERM → SIGKILL window (2 s) and start-up slack.
      assert.deepEqual(exit, { code: 0, signal: null }, sluice.stderr);
      assert.ok(Date.now() - sent < 10_000, `exited after ${Date.now() - sent} ms`);
      assert.ok(sluice.logsFor('long.txt', /^aborted by shutdown/).length === 1, 'the abort is logged');
      assertLeftForNextTime('long.txt', 'long job');

      box.rm('slow.flag');
      const next = await box.run(['run', '--json', '-c', box.path('sluice.json')]);
      assert.equal(next.code, 0, next.stderr);
      assert.equal((JSON.parse(next.stdout) as { processed: number }).processed, 1);
      assert.equal(box.read('outbox/long.txt')?.toString(), 'long job');
      assert.equal(box.read('archive/long.txt')?.toString(), 'long job');
    });
  }

  test('a second SIGTERM aborts in-flight work at once, without waiting for the grace', async () => {
    box.write('slow.flag', '');
    const sluice = start(120_000, slowWhileFlagged());
    await startedJob(sluice, 'stuck.txt', 'stuck');
    sluice.kill('SIGTERM');
    await sluice.waitForLog('the drain to begin', (l) => /^stopping: 1 job/.test(l.message));
    const sent = Date.now();
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(15_000), { code: 0, signal: null }, sluice.stderr);
    assert.ok(Date.now() - sent < 10_000, `exited after ${Date.now() - sent} ms (grace is 120 s)`);
    assertLeftForNextTime('stuck.txt', 'stuck');
  });

  test('SIGINT then SIGTERM also counts as a second signal', async () => {
    box.write('slow.flag', '');
    const sluice = start(120_000, slowWhileFlagged());
    await startedJob(sluice, 'stuck.txt', 'stuck');
    sluice.kill('SIGINT');
    await sluice.waitForLog('the drain to begin', (l) => /^stopping: 1 job/.test(l.message));
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(15_000), { code: 0, signal: null }, sluice.stderr);
    assertLeftForNextTime('stuck.txt', 'stuck');
  });

  test('files dropped in after SIGTERM are not taken: intake stops first', async () => {
    const sluice = start(20_000, shStage('sleep 1; cp "$1" "$2"'));
    await startedJob(sluice, 'first.txt', 'first');
    sluice.kill('SIGTERM');
    await sluice.waitForLog('the drain to begin', (l) => /^stopping/.test(l.message));
    box.write('inbox/late.txt', 'late');
    assert.equal((await sluice.waitForExit(15_000)).code, 0);
    assert.equal(box.read('outbox/first.txt')?.toString(), 'first');
    assert.equal(box.read('inbox/late.txt')?.toString(), 'late');
    assert.equal(box.read('outbox/late.txt'), null);
    assert.deepEqual(sluice.logsFor('late.txt', 'started'), []);
  });
});
