import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, waitFor, type SluiceProcess } from '../helpers/process.js';

// Files the watcher never reports are found by the reconciliation scan, and say so in the log. The watcher is made to
// miss events honestly through the test-only fault hook (SLUICE_FAULT=drop-watch-events drops every event;
// SLUICE_FAULT=watch-error also turns the first one into an ENOSPC watcher error). Catching up after a stop is in
// rescan.test.ts and instance.test.ts.
describe('sluice watch: events the watcher misses', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  function watch(extra: Record<string, unknown>, env: Record<string, string> = {}): SluiceProcess {
    const config = box.config({ pipelines: [pipeline({ onSuccess: { moveTo: './archive' } })], ...extra });
    return box.start(['watch', '-c', config, ...debugJson], { env });
  }

  const count = (sluice: SluiceProcess, pattern: RegExp) => sluice.logs.filter((l) => pattern.test(l.message)).length;
  /** Files written before the start-up scan is over may be found by it: the tests write only after it. */
  const startupScanDone = (sluice: SluiceProcess) => sluice.waitForLog('the start-up scan', (l) => /^scan of p done/.test(l.message));

  test('with every watch event dropped, periodic rescans find each file, once, and log "found by rescan"', async () => {
    box.write('inbox/before.txt', 'there at start');
    const sluice = watch({ rescanIntervalMs: 400 }, { SLUICE_FAULT: 'drop-watch-events' });
    await startupScanDone(sluice);
    await sluice.processed('before.txt');
    const rels: string[] = [];
    for (let i = 0; i < 30; i++) rels.push(i % 3 === 0 ? `deep/er/f${i}.txt` : `f${i}.txt`);
    for (const rel of rels) box.write(`inbox/${rel}`, `content of ${rel}`);
    await waitFor('every file archived', () => box.files('archive').length === rels.length + 1, { timeoutMs: 60_000 });
    // "processed" is logged after the input is archived, and the log reaches the test through a pipe: wait for it.
    for (const rel of rels) await sluice.processed(rel);
    for (const rel of rels) {
      assert.equal(box.read(`outbox/${rel}`)?.toString(), `content of ${rel}`);
      assert.equal(sluice.logsFor(rel, /^processed/).length, 1, `${rel} processed once`);
      assert.equal(sluice.logsFor(rel, /^found by rescan/).length, 1, `${rel} found by a rescan`);
      assert.deepEqual(sluice.logsFor(rel, /^seen via /).map((l) => l.message), ['seen via rescan'], `${rel} never reported`);
    }
    assert.equal(count(sluice, /^found by rescan/), rels.length, 'the start-up scan is not a rescan');
    assert.deepEqual(box.files('inbox'), []);
  });

  test('a watcher error is logged as a warning and triggers a rescan at once (periodic rescans off)', async () => {
    const sluice = watch({ rescanIntervalMs: 0 }, { SLUICE_FAULT: 'watch-error' });
    await startupScanDone(sluice);
    box.write('inbox/lost-event.txt', 'the watcher failed to report me');
    const warning = await sluice.waitForLog('the watcher error', (l) => /^watcher error: /.test(l.message));
    assert.equal(warning.level, 'warn');
    assert.equal(warning['code'], 'ENOSPC');
    assert.match(warning.message, /rescanning/);
    await sluice.processed('lost-event.txt');
    assert.equal(box.read('outbox/lost-event.txt')!.toString(), 'the watcher failed to report me');
    assert.equal(sluice.logsFor('lost-event.txt', /^found by rescan/).length, 1);
    await sluice.waitForLog('the rescan', (l) => /^rescan of p done/.test(l.message));
    assert.equal(count(sluice, /^rescan of p done/), 1, 'exactly one rescan: the one the error asked for');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  test('a folder created and filled at once is processed in full, whoever found each file', async () => {
    const sluice = watch({ rescanIntervalMs: 1000 });
    await sluice.ready();
    const rels: string[] = [];
    for (let d = 0; d < 5; d++) {
      const dir = box.path(`inbox/burst${d}/a/b`);
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 20; i++) {
        fs.writeFileSync(`${dir}/f${i}.txt`, `burst ${d} file ${i}`);
        rels.push(`burst${d}/a/b/f${i}.txt`);
      }
    }
    await waitFor('every file archived', () => box.files('archive').length === rels.length, { timeoutMs: 60_000 });
    for (const rel of rels) await sluice.processed(rel);
    for (const rel of rels) {
      assert.equal(sluice.logsFor(rel, /^processed/).length, 1, `${rel} processed once`);
      const seen = sluice.logsFor(rel, /^seen via /)[0]!.message;
      assert.equal(sluice.logsFor(rel, /^found by rescan/).length, seen === 'seen via rescan' ? 1 : 0, rel);
    }
    assert.equal(box.files('outbox').length, rels.length);
  });
});
