import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox, waitFor, type LogLine } from '../helpers/process.js';
import { cannotMount, fillUp, mountTmpfs, unmount } from './system.js';

// Outputs on a full disk: ENOSPC is transient, retried with backoff; no partial output ever shows in the output folder,
// no temp file is left, no input is lost or changed, and the work completes once space returns.
describe('disk full (ENOSPC) on the output file system', { skip: cannotMount() ?? false }, () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    unmount(box.path('disk'));
    await box.dispose();
  });

  /** A 1 MiB tmpfs at ./disk holding the output folder ./disk/out; skips the test when it cannot be mounted. */
  function smallDisk(t: { skip(message: string): void }): boolean {
    const failed = mountTmpfs(box.path('disk'), '1m');
    if (failed !== null) t.skip(`no tmpfs: ${failed}`);
    return failed === null;
  }

  function inputs(count: number, size: number): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < count; i++) {
      const name = `${i % 2 ? 'sub/' : ''}f${i}.bin`;
      files.set(name, randomBytes(size + i));
      box.write(`inbox/${name}`, files.get(name)!);
    }
    return files;
  }

  /** The output folder holds complete outputs only: no temp file in .sluice-tmp, nothing but `expected`. */
  function assertOnlyOutputs(expected: readonly string[]): void {
    assert.deepEqual(box.files('disk/out'), [...expected].sort());
  }

  const retryLines = (logs: readonly LogLine[]) => logs.filter((l) => l.level === 'warn' && /^attempt \d+ failed, retrying/.test(l.message));

  test('run: ENOSPC is retried with backoff until space returns, then every output is complete', async (t) => {
    if (!smallDisk(t)) return;
    const files = inputs(6, 100 * 1024); // 600 KiB: fits once the filler is gone
    const filler = box.path('disk/filler');
    fillUp(filler);
    const config = box.config({
      pipelines: [pipeline({
        output: { dir: './disk/out' }, onSuccess: { moveTo: './archive' },
        retry: { attempts: 1000, backoffMs: 20, maxBackoffMs: 200 },
        stages: [{ use: 'copy', concurrency: 2 }],
      })],
    });
    const sluice = box.start(['run', '--json', '-c', config, '--log-format', 'json']);
    await waitFor('ENOSPC retries for several files, some retried three times', () => {
      const retries = retryLines(sluice.logs);
      return new Set(retries.map((l) => l.path)).size >= 2 && retries.some((l) => l['attempt'] === 3);
    }, { timeoutMs: 30_000 });
    // While the disk is full: no output (temp files of attempts in flight only), every input untouched.
    assert.deepEqual(box.files('disk/out').filter((f) => !f.startsWith('.sluice-tmp/')), [], 'no partial output');
    for (const [name, content] of files) assert.ok(box.read(`inbox/${name}`)!.equals(content), `inbox/${name} intact`);
    const first = retryLines(sluice.logs);
    assert.ok(first.every((l) => l['code'] === 'ENOSPC' && l['stage'] === 'copy'), JSON.stringify(first.slice(0, 3)));

    fs.rmSync(filler);
    const exit = await sluice.waitForExit(60_000);
    assert.equal(exit.code, 0, sluice.stderr.slice(-3000));
    const report = JSON.parse(sluice.stdout) as { processed: number; failed: number };
    assert.deepEqual([report.processed, report.failed], [files.size, 0]);
    assertOnlyOutputs([...files.keys()]);
    for (const [name, content] of files) {
      assert.ok(box.read(`disk/out/${name}`)!.equals(content), `disk/out/${name} is complete`);
      assert.ok(box.read(`archive/${name}`)!.equals(content), `archive/${name} is byte-identical`);
    }
    assert.deepEqual(box.files('inbox'), []);
    // Backoff: the delays of one file's retries grow (exponential, jittered by at most ±50 %, capped at maxBackoffMs).
    const delays = retryLines(sluice.logs).filter((l) => l.path === first[0]!.path)
      .map((l) => Number(/retrying in (\d+) ms/.exec(l.message)![1]));
    assert.ok(delays.length >= 2 && delays.every((d) => d <= 200), `delays ${delays.join(', ')}`);
  });

  test('watch: a file larger than the disk fails with ENOSPC after retry.attempts; the daemon goes on', async (t) => {
    if (!smallDisk(t)) return;
    const big = randomBytes(1536 * 1024);
    const config = box.config({
      pipelines: [pipeline({
        output: { dir: './disk/out' }, onSuccess: { moveTo: './archive' }, onFailure: { moveTo: './failed' },
        retry: { attempts: 3, backoffMs: 20, maxBackoffMs: 50 }, stages: [{ use: 'gzip', with: { level: 0 } }],
      })],
    });
    const sluice = box.start(['watch', '-c', config, '--log-format', 'json']);
    await sluice.ready();
    box.write('inbox/big.bin', big);
    const failed = await sluice.waitForLog('big.bin failed', (l) => l.path === 'big.bin' && l.level === 'error');
    assert.equal(failed['code'], 'ENOSPC');
    assert.equal(failed['errorClass'], 'transient');
    assert.equal(retryLines(sluice.logsFor('big.bin')).length, 2, 'three attempts: two retries');
    await waitFor('the sidecar and the input', () => box.read('failed/big.bin.error.json') && box.read('failed/big.bin'));
    const sidecar = JSON.parse(box.read('failed/big.bin.error.json')!.toString()) as { attempts: number; error: { code: string } };
    assert.deepEqual([sidecar.attempts, sidecar.error.code], [3, 'ENOSPC']);
    assert.ok(box.read('failed/big.bin')!.equals(big), 'the input is quarantined intact');
    assert.deepEqual(box.files('disk/out'), [], 'no partial output, no temp file');

    box.write('inbox/small.txt', 'fits');
    await sluice.processed('small.txt');
    assertOnlyOutputs(['small.txt']);
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  test('append mode: a block that does not fit is never half-appended; it is appended whole once space returns', async (t) => {
    if (!smallDisk(t)) return;
    const config = box.config({
      pipelines: [pipeline({
        output: { dir: './disk/out', path: 'all.log', mode: 'append' },
        retry: { attempts: 1000, backoffMs: 20, maxBackoffMs: 100 }, stages: [{ use: 'copy', concurrency: 1 }],
      })],
    });
    box.write('inbox/a.txt', `${'a'.repeat(1000)}\n`);
    assert.equal((await box.run(['run', '-c', config])).code, 0);
    const filler = box.path('disk/filler');
    fillUp(filler);
    const block = `${'b'.repeat(300 * 1024)}\n`;
    box.write('inbox/b.txt', block);
    const sluice = box.start(['run', '-c', config, '--log-format', 'json']);
    await waitFor('an ENOSPC retry', () => retryLines(sluice.logs).some((l) => l['code'] === 'ENOSPC'), { timeoutMs: 30_000 });
    assert.equal(box.read('disk/out/all.log')!.toString(), `${'a'.repeat(1000)}\n`, 'the output still holds only the first block');
    fs.rmSync(filler);
    assert.equal((await sluice.waitForExit(60_000)).code, 0, sluice.stderr.slice(-3000));
    assert.equal(box.read('disk/out/all.log')!.toString(), `${'a'.repeat(1000)}\n${block}`);
    assertOnlyOutputs(['all.log']);
  });
});
