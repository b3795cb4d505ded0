import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pipeline, Sandbox, waitFor, type LogLine, type SluiceProcess } from '../helpers/process.js';

// `sluice watch` logs a one-line summary at a fixed interval when anything happened, nothing while idle.
// SLUICE_SUMMARY_INTERVAL_MS shortens the interval (60 s by default) for the test.
describe('sluice watch: activity summary', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
    process.env['SLUICE_SUMMARY_INTERVAL_MS'] = '200';
  });
  afterEach(async () => {
    delete process.env['SLUICE_SUMMARY_INTERVAL_MS'];
    await box.dispose();
  });

  const summaries = (s: SluiceProcess): LogLine[] => s.logs.filter((l) => /^last \S+: /.test(l.message));
  /** Rescans every ~300 ms: each "scan ... done" line proves time went by (more than a summary interval per two). */
  const rescans = (s: SluiceProcess): number => s.logs.filter((l) => /^rescan of p done/.test(l.message)).length;

  test('counts processed, unchanged and failed since the last summary; stays quiet while idle', async () => {
    const config = box.config({
      rescanIntervalMs: 300,
      pipelines: [pipeline({ onSuccess: { moveTo: './archive' }, onFailure: { moveTo: './failed' }, stages: [{ use: 'gunzip' }] })],
    });
    const sluice = box.start(['watch', '-c', config, '--log-format', 'json']);
    await sluice.ready();
    await waitFor('three rescans while idle', () => rescans(sluice) >= 3);
    assert.deepEqual(summaries(sluice), [], 'no summary while nothing happens');
    box.write('inbox/bad.gz', 'not gzip');
    box.write('inbox/good.txt.gz', gzipSync('abc'));
    await waitFor('both handled', () => box.read('archive/good.txt.gz') && box.read('failed/bad.gz.error.json'));
    await waitFor('a summary with both', () => {
      const all = summaries(sluice);
      const sum = (k: string) => all.reduce((n, l) => n + (l[k] as number), 0);
      return sum('processed') === 1 && sum('failed') === 1;
    });
    const line = summaries(sluice).find((l) => (l['processed'] as number) > 0)!;
    assert.equal(line.level, 'info');
    assert.match(line.message, /^last \S+: 1 processed, 0 unchanged, (0|1) failed$/);
    assert.equal(typeof line['periodMs'], 'number');
    const count = summaries(sluice).length;
    const seen = rescans(sluice);
    await waitFor('three more rescans, idle again', () => rescans(sluice) >= seen + 3);
    assert.equal(summaries(sluice).length, count, 'quiet again once idle');
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null });
  });
});
