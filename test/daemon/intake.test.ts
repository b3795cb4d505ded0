import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, waitFor, type SluiceProcess } from '../helpers/process.js';

// What reaches the engine in service mode: files there at start, files dropped in later (subfolders too), files still
// being written (settling), and files that change while they are processed.
describe('sluice watch: intake', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  function watch(p: Record<string, unknown>, extra: Record<string, unknown> = {}): SluiceProcess {
    return box.start(['watch', '-c', box.config({ pipelines: [pipeline(p)], ...extra }), ...debugJson]);
  }

  // With settleMs 0 a file may be looked at between its creation and its first write, and is then rightly processed
  // twice; a short settle makes "processed exactly once" the contract to check.
  const settled = { input: { dir: './inbox', settleMs: 200 } };

  test('processes the files already there at start, then files dropped in later, in subfolders too', async () => {
    box.write('inbox/before.txt', 'before');
    box.write('inbox/deep/er/before.txt', 'deep before');
    const sluice = watch(settled);
    await sluice.processed('before.txt');
    await sluice.processed('deep/er/before.txt');
    await sluice.ready();
    box.write('inbox/after.txt', 'after');
    box.write('inbox/deep/er/after.txt', 'deep after');
    box.write('inbox/new/folder/after.txt', 'new folder');
    for (const rel of ['after.txt', 'deep/er/after.txt', 'new/folder/after.txt']) await sluice.processed(rel);
    assert.deepEqual(box.files('outbox').filter((f) => !f.startsWith('.sluice-tmp/')), [
      'after.txt', 'before.txt', 'deep/er/after.txt', 'deep/er/before.txt', 'new/folder/after.txt',
    ]);
    assert.equal(box.read('outbox/deep/er/before.txt')!.toString(), 'deep before');
    assert.equal(box.read('outbox/new/folder/after.txt')!.toString(), 'new folder');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
    for (const rel of ['before.txt', 'deep/er/before.txt', 'after.txt', 'deep/er/after.txt', 'new/folder/after.txt']) {
      assert.equal(sluice.logsFor(rel, /^processed/).length, 1, rel);
    }
  });

  test('a folder created and filled at once (many files, nested) is processed completely', async () => {
    const sluice = watch(settled);
    await sluice.ready();
    const names: string[] = [];
    for (let i = 0; i < 40; i++) names.push(`burst/${i % 4}/${i % 3}/f${i}.txt`);
    for (const name of names) box.write(`inbox/${name}`, name);
    for (const name of names) await sluice.processed(name);
    for (const name of names) assert.equal(box.read(`outbox/${name}`)?.toString(), name);
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
    for (const name of names) assert.equal(sluice.logsFor(name, /^processed/).length, 1, name);
  });

  test('a file written slowly is processed once, after it is complete, and its output is the whole file', async () => {
    const sluice = watch({ input: { dir: './inbox', settleMs: 1500 } });
    await sluice.ready();
    const chunks = Array.from({ length: 10 }, (_, i) => `chunk ${i} ${'.'.repeat(1000)}\n`);
    const file = box.path('inbox/slow.txt');
    // Appends every 150 ms: each pause is much shorter than settleMs, so the file never looks finished too early.
    await new Promise<void>((resolve) => {
      let i = 0;
      const timer = setInterval(() => {
        fs.appendFileSync(file, chunks[i]!);
        if (++i === chunks.length) {
          clearInterval(timer);
          resolve();
        }
      }, 150);
    });
    assert.equal(box.read('outbox/slow.txt'), null, 'nothing is committed while the file is being written');
    await sluice.processed('slow.txt');
    assert.equal(box.read('outbox/slow.txt')!.toString(), chunks.join(''));
    assert.equal(sluice.logsFor('slow.txt', 'started').length, 1, 'exactly one attempt, on the complete file');
    assert.ok(sluice.logsFor('slow.txt', /^settling/).length >= 1, 'it was seen settling');
  });

  test('with settleMs 0 a new file is processed without waiting to settle', async () => {
    const sluice = watch({});
    await sluice.ready();
    box.write('inbox/now.txt', 'now');
    await sluice.processed('now.txt');
    assert.equal(box.read('outbox/now.txt')!.toString(), 'now');
    assert.deepEqual(sluice.logsFor('now.txt', /^settling/), []);
  });

  test('a file that vanishes before it is processed is skipped quietly (nothing above debug level)', async () => {
    const sluice = watch({ input: { dir: './inbox', settleMs: 1000 } });
    await sluice.ready();
    box.write('inbox/gone.txt', 'here for a moment');
    await sluice.waitForLog('gone.txt settling', (l) => l.path === 'gone.txt' && l.message.startsWith('settling'));
    box.rm('inbox/gone.txt');
    const skipped = await sluice.waitForLog('gone.txt skipped', (l) => l.path === 'gone.txt' && l.message.startsWith('skipped'));
    assert.equal(skipped['code'], 'INPUT_VANISHED');
    assert.deepEqual(sluice.logsFor('gone.txt').filter((l) => l.level !== 'debug'), []);
    assert.deepEqual(box.files('outbox'), []);
  });

  test('a file changed while it is processed is processed exactly once more, and the output is the final content', async () => {
    const sluice = watch(
      { stages: [shStage('sleep 1; cp "$1" "$2"')] },
      { rescanIntervalMs: 300 },
    );
    await sluice.ready();
    box.write('inbox/moving.txt', 'first version');
    await sluice.waitForLog('the first attempt', (l) => l.path === 'moving.txt' && l.message === 'started');
    box.write('inbox/moving.txt', 'second, final version');
    const processed = await sluice.processed('moving.txt');
    assert.equal(box.read('outbox/moving.txt')!.toString(), 'second, final version');
    // Two more rescans after the commit: a job that kept rescheduling itself would have started again by then.
    await waitFor('two rescans after the commit', () =>
      sluice.logs.filter((l) => l.time > processed.time && /^rescan of p done/.test(l.message)).length >= 2);
    assert.equal(sluice.logsFor('moving.txt', 'started').length, 2, 'one run, then exactly one more');
    assert.equal(sluice.logsFor('moving.txt', /^processed/).length, 1);
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
    const again = await box.run(['run', '--json', '-c', box.path('sluice.json')]);
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout) as { processed: number; unchanged: number };
    assert.deepEqual([report.processed, report.unchanged], [0, 1], 'the recorded state matches the final content');
  });
});
