import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox, waitFor } from '../test/helpers/process.js';
import { assertExactly, hookPeakKb, mb, RssMonitor, rssHookEnv } from './helpers.js';

// Scenario 3 of issue 3, floods: 30,000 files dropped into a running daemon as fast as a loop can write them, with
// queue.capacity 64, are all processed with the daemon's peak RSS under `daemonBoundMb`; a one-shot run over 30,000
// existing files stays under `runBoundMb`. Peak RSS is measured twice: VmHWM polled from /proc while it runs, and the
// exact getrusage maxrss written by a preloaded hook when the process exits.
const files = 30_000;
const daemonBoundMb = 300;
const runBoundMb = 250;

describe('chaos: floods of small files', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const rel = (i: number) => (i % 5 === 0 ? `f${i}.txt` : `d${i % 10}/f${i}.txt`);
  const body = (i: number) => `flood file ${i}\n${'.'.repeat(i % 1500)}\n`;

  function writeAll(): void {
    for (let d = 0; d < 10; d++) fs.mkdirSync(box.path(`inbox/d${d}`), { recursive: true });
    for (let i = 0; i < files; i++) fs.writeFileSync(box.path(`inbox/${rel(i)}`), body(i));
  }

  function config(): string {
    return box.config({
      queue: { capacity: 64 },
      rescanIntervalMs: 10_000,
      pipelines: [pipeline({
        input: { dir: './inbox', settleMs: 200 },
        onSuccess: { moveTo: './archive' },
        stages: [{ use: 'copy', concurrency: 2 }],
      })],
    });
  }

  function assertAllProcessed(): void {
    const expected: string[] = [];
    for (let i = 0; i < files; i++) expected.push(`archive/${rel(i)}`, `outbox/${rel(i)}`);
    assertExactly(box, expected);
    for (let i = 0; i < files; i += 997) assert.equal(box.read(`outbox/${rel(i)}`)!.toString(), body(i));
  }

  test(`sluice watch: ${files} files dropped in at once, queue.capacity 64, peak RSS under ${daemonBoundMb} MB`, async (t) => {
    const hook = box.path('watch.rss');
    const sluice = box.start(['watch', '-c', config()], { env: rssHookEnv(hook) });
    await sluice.ready();
    const monitor = new RssMonitor(sluice.pid);
    const started = Date.now();
    writeAll();
    const written = Date.now() - started;
    await waitFor('every file archived', () => {
      if (sluice.exit) throw new Error(`sluice exited: ${JSON.stringify(sluice.exit)}\n${sluice.stderr.slice(-2000)}`);
      return box.files('archive').length === files;
    }, { timeoutMs: 300_000, intervalMs: 1000 });
    const took = Date.now() - started;
    const polled = monitor.stop();
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit(60_000)).code, 0, sluice.stderr.slice(-2000));
    const exact = hookPeakKb(hook);
    t.diagnostic(`figures: watch flood ${files} files (written in ${written} ms, all processed after ${took} ms), ` +
      `peak RSS ${mb(exact)} MB (VmHWM polled: ${mb(polled)} MB), bound ${daemonBoundMb} MB`);
    assert.ok(mb(exact) < daemonBoundMb, `peak RSS ${mb(exact)} MB`);
    assertAllProcessed();
  });

  test(`sluice run: ${files} existing files, peak RSS under ${runBoundMb} MB`, async (t) => {
    writeAll();
    const hook = box.path('run.rss');
    const run = box.start(['run', '-c', config()], { env: rssHookEnv(hook) });
    const monitor = new RssMonitor(run.pid);
    const started = Date.now();
    const exit = await run.waitForExit(300_000);
    const polled = monitor.stop();
    assert.equal(exit.code, 0, run.stderr.slice(-2000));
    assert.match(run.stderr, new RegExp(`run done: ${files} processed, 0 unchanged, 0 failed`));
    const exact = hookPeakKb(hook);
    t.diagnostic(`figures: run over ${files} files in ${Date.now() - started} ms, peak RSS ${mb(exact)} MB ` +
      `(VmHWM polled: ${mb(polled)} MB), bound ${runBoundMb} MB`);
    assert.ok(mb(exact) < runBoundMb, `peak RSS ${mb(exact)} MB`);
    assertAllProcessed();
  });
});
