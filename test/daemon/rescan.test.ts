import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, waitFor, type SluiceProcess } from '../helpers/process.js';

// Events are hints, the scan is the truth: what happened while sluice was down is caught up at start, and periodic
// rescans find what the watcher did not report.
describe('sluice watch: start-up scan and periodic rescans', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  function watch(extra: Record<string, unknown>, p: Record<string, unknown> = {}): SluiceProcess {
    return box.start(['watch', '-c', box.config({ pipelines: [pipeline(p)], ...extra }), ...debugJson]);
  }

  const processed = (sluice: SluiceProcess, rel: string) => sluice.logsFor(rel, /^processed/).length;

  test('files added and changed while sluice was stopped are caught up at the next start', async () => {
    const first = watch({});
    await first.ready();
    box.write('inbox/early.txt', 'early v1');
    box.write('inbox/same.txt', 'same');
    await first.processed('early.txt');
    await first.processed('same.txt');
    first.kill('SIGTERM');
    assert.equal((await first.waitForExit()).code, 0);

    box.write('inbox/early.txt', 'early v2, changed while down');
    box.write('inbox/down.txt', 'added while down');
    box.write('inbox/sub/dir/down.txt', 'nested, added while down');
    const second = watch({});
    for (const rel of ['early.txt', 'down.txt', 'sub/dir/down.txt']) await second.processed(rel);
    assert.equal(box.read('outbox/early.txt')!.toString(), 'early v2, changed while down');
    assert.equal(box.read('outbox/sub/dir/down.txt')!.toString(), 'nested, added while down');
    await second.waitForLog('the start-up scan', (l) => /^scan of p done: 4 file/.test(l.message));
    assert.deepEqual(second.logsFor('same.txt', 'seen via scan').length, 1);
    assert.equal(processed(second, 'same.txt'), 0, 'an unchanged file is not processed again');
    await second.waitForLog('same.txt found up to date', (l) => l.path === 'same.txt' && /^unchanged/.test(l.message));
    for (const rel of ['early.txt', 'down.txt', 'sub/dir/down.txt']) {
      assert.equal(second.logsFor(rel, 'seen via scan').length, 1, `${rel} came from the start-up scan`);
      assert.equal(processed(second, rel), 1, rel);
    }
  });

  test('a whole tree moved in from outside is processed, and whatever a rescan found says so', async () => {
    const sluice = watch({ rescanIntervalMs: 500 });
    await sluice.ready();
    const rels = ['tree/top.txt', 'tree/a/one.txt', 'tree/a/b/two.txt', 'tree/a/b/c/three.txt', 'tree/d/four.txt'];
    for (const rel of rels) box.write(`staging/${rel}`, rel);
    fs.renameSync(box.path('staging/tree'), box.path('inbox/tree'));
    for (const rel of rels) {
      await sluice.processed(rel);
      assert.equal(box.read(`outbox/${rel}`)?.toString(), rel);
      assert.equal(processed(sluice, rel), 1, rel);
      // Either the watcher reported it or a rescan found it; a rescan that found it must say so.
      const seen = sluice.logsFor(rel, /^seen via /)[0]!;
      const byRescan = sluice.logsFor(rel, /^found by rescan/).length;
      assert.equal(byRescan, seen.message === 'seen via rescan' ? 1 : 0, `${rel}: ${seen.message}`);
    }
  });

  test('rescans run every rescanIntervalMs and leave up-to-date files alone', async () => {
    box.write('inbox/kept.txt', 'kept');
    const sluice = watch({ rescanIntervalMs: 300 });
    await sluice.processed('kept.txt');
    await waitFor('three rescans', () => sluice.logs.filter((l) => /^rescan of p done/.test(l.message)).length >= 3);
    assert.equal(processed(sluice, 'kept.txt'), 1);
    assert.deepEqual(sluice.logsFor('kept.txt', /^found by rescan/), []);
  });

  test('watch events beyond the intake\'s room are dropped, and a rescan finds those files', async () => {
    // The intake lets 1024 files settle at once; with a long settleMs, the 1025th event finds no room.
    const sluice = watch({}, { input: { dir: './inbox', settleMs: 3000 } });
    await sluice.ready();
    const count = 1100;
    for (let i = 0; i < count; i++) box.write(`inbox/f${String(i).padStart(4, '0')}.txt`, `file ${i}`);
    await waitFor('every file processed', () => sluice.logs.filter((l) => /^processed/.test(l.message)).length >= count,
      { timeoutMs: 60_000 });
    assert.equal(box.files('outbox').filter((f) => f.endsWith('.txt')).length, count);
    for (let i = 0; i < count; i += 97) assert.equal(box.read(`outbox/f${String(i).padStart(4, '0')}.txt`)!.toString(), `file ${i}`);
    const found = sluice.logs.filter((l) => /^found by rescan/.test(l.message));
    assert.ok(found.length >= count - 1024, `${found.length} found by rescan`);
    assert.equal(sluice.logs.filter((l) => /^processed/.test(l.message)).length, count, 'each file processed once');
  });
});
