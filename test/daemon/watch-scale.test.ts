import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { cliJson } from '../ops/helpers.js';
import { inotifyWatches } from '../helpers/inotify.js';
import { debugJson, pipeline, Sandbox, waitFor, type SluiceProcess } from '../helpers/process.js';

// chokidar on its own places one inotify watch per file; sluice watches folders and learns of files from their
// folder's events, so a big tree costs a watch per folder and a change to any file in it is still seen.
describe('sluice watch: watches scale with folders, not files', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const folders = 10;
  const perFolder = 200;
  const rel = (d: number, f: number) => `d${d}/f${f}.txt`;

  function fill(): void {
    for (let d = 0; d < folders; d++) for (let f = 0; f < perFolder; f++) box.write(`inbox/${rel(d, f)}`, `v1 ${d}/${f}`);
  }

  let config = '';
  function watch(): SluiceProcess {
    // Rescans off: whatever is seen after the start-up scan was seen by the watcher.
    config = box.config({ rescanIntervalMs: 0, pipelines: [pipeline()] });
    return box.start(['watch', '-c', config, ...debugJson]);
  }

  const startupScan = (sluice: SluiceProcess) =>
    sluice.waitForLog('the start-up scan', (l) => /^scan of p done/.test(l.message), { timeoutMs: 60_000 });

  test('2,000 files in 10 folders take about one watch per folder', async () => {
    fill();
    const sluice = watch();
    await sluice.ready({ timeoutMs: 60_000 });
    await startupScan(sluice);
    const watches = inotifyWatches(sluice.pid);
    assert.ok(watches >= folders + 1, `${watches} watches: the inbox and each folder are watched`);
    assert.ok(watches <= 2 * (folders + 1), `${watches} watches for ${folders + 1} folders and ${folders * perFolder} files`);
  });

  test('changes to existing files anywhere in a big tree are seen, without a rescan', async () => {
    fill();
    const sluice = watch();
    await sluice.ready({ timeoutMs: 60_000 });
    await startupScan(sluice);
    // The "processed" line comes once a file is recorded and disposed of; its output appears before that, and a change
    // made in between would be folded into a redo of the running job instead of being reported by the watcher.
    // Distinct paths: a file processed twice would otherwise make the count while another one is still running.
    const processed = () => new Set(sluice.logs.filter((l) => l.message.startsWith('processed')).map((l) => l.path)).size;
    await waitFor('every file processed', () => processed() === folders * perFolder, { timeoutMs: 120_000, intervalMs: 200 });
    await waitFor('nothing in flight', async () => (await cliJson(box, ['status', '-c', config]))['inFlight'].length === 0,
      { timeoutMs: 30_000, intervalMs: 200 });
    const changed = Array.from({ length: folders }, (_, d) => rel(d, (d * 37) % perFolder));
    for (const r of changed) box.write(`inbox/${r}`, `v2 of ${r}, longer than before`);
    for (const r of changed) {
      // Its second "processed" line, not its output: the output is renamed into place (by a worker thread) before the
      // log lines of that run reach the pipe.
      await waitFor(`${r} processed again`, () => sluice.logsFor(r, /^processed/).length >= 2, { timeoutMs: 60_000, intervalMs: 100 });
      assert.equal(box.read(`outbox/${r}`)?.toString(), `v2 of ${r}, longer than before`);
      assert.ok(sluice.logsFor(r, 'seen via event').length >= 1,
        `${r} was reported by the watcher; its lines: ${sluice.logsFor(r).map((l) => l.message).join(' | ')}`);
    }
  });

  test('a file created in a new folder and one written into a folder created before start are both seen', async () => {
    box.write('inbox/old/keep.txt', 'x');
    const sluice = watch();
    await sluice.ready();
    await startupScan(sluice);
    box.write('inbox/old/new.txt', 'in an old folder');
    box.write('inbox/fresh/deep/new.txt', 'in a new folder');
    await sluice.processed('old/new.txt');
    await sluice.processed('fresh/deep/new.txt');
    assert.equal(box.read('outbox/fresh/deep/new.txt')?.toString(), 'in a new folder');
    assert.deepEqual(sluice.logs.filter((l) => /not a regular file/.test(l.message)), [], 'folders are not reported as inputs');
  });
});
