import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, test, type TestContext } from 'node:test';
import { runJson } from '../test/helpers/cli.js';
import { rng } from '../test/helpers/measure.js';
import { pipeline, Sandbox, waitFor, type SluiceProcess } from '../test/helpers/process.js';
import { assertExactly, content, mixedSize, sha256 } from './helpers.js';

// Scenario 1 of issue 3, kill -9 chaos: sluice moving 1,000+ files of mixed sizes (up to 512 KiB) through gzip to an
// archive is killed with SIGKILL at random moments, again and again, and restarted; in the end every input sits in the
// archive byte-identical, every output is complete and correct, and no temp, partial or duplicate file exists anywhere.
// The random delays come from a seed printed in the diagnostics (SLUICE_CHAOS_SEED=<n> replays one).

describe('chaos: kill -9 at random moments', () => {
  let box: Sandbox;
  /** relPath → sha256 of the input. */
  let inputs: Map<string, string>;
  beforeEach(() => {
    box = Sandbox.create();
    inputs = new Map();
  });
  afterEach(async () => {
    await box.dispose();
  });

  function seed(t: TestContext): () => number {
    const s = Number(process.env['SLUICE_CHAOS_SEED'] ?? Date.now() % 1_000_000);
    t.diagnostic(`seed ${s}`);
    return rng(s);
  }

  function writeInputs(from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const rel = i % 4 === 0 ? `f${i}.dat` : `d${i % 7}/s${i % 3}/f${i}.dat`;
      const data = content(i, mixedSize(i));
      inputs.set(rel, sha256(data));
      box.write(`inbox/${rel}`, data);
    }
  }

  function config(): string {
    return box.config({
      queue: { capacity: 64 },
      rescanIntervalMs: 2000,
      pipelines: [pipeline({
        input: { dir: './inbox', settleMs: 150 },
        output: { dir: './outbox', path: '{relDir}/{base}.gz' },
        onSuccess: { moveTo: './archive' },
        retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 },
        stages: [{ use: 'gzip', with: { level: 6 }, concurrency: 2 }],
      })],
    });
  }

  /** Every input archived byte-identical, every output complete and correct, nothing else anywhere. */
  function assertConverged(): void {
    const expected: string[] = [];
    for (const [rel, hash] of inputs) {
      const archived = box.read(`archive/${rel}`);
      assert.ok(archived, `archive/${rel} exists`);
      assert.equal(sha256(archived), hash, `archive/${rel} is byte-identical`);
      assert.equal(sha256(gunzipSync(box.read(`outbox/${rel}.gz`)!)), hash, `outbox/${rel}.gz is complete and correct`);
      expected.push(`archive/${rel}`, `outbox/${rel}.gz`);
    }
    assertExactly(box, expected);
  }

  async function killAfter(sluice: SluiceProcess, ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    sluice.kill('SIGKILL');
    const exit = await sluice.waitForExit(30_000);
    assert.ok(exit.signal === 'SIGKILL' || exit.code !== null, JSON.stringify(exit));
  }

  const left = () => box.files('inbox').length;

  test('sluice watch: 1,360 files or more, killed at least 5 times with work left while files arrive or are in flight', async (t) => {
    const random = seed(t);
    const initial = 400;
    const perRound = 120;
    writeInputs(0, initial);
    const file = config();
    const started = Date.now();
    let kills = 0;
    let killsWithWorkLeft = 0;
    let recovered = 0;
    // At least 8 rounds; more (at most 24) while fewer than 5 kills found work left: on a fast or idle machine the
    // daemon can finish a round's files before the random moment comes.
    for (let round = 0; round < 24 && (round < 8 || killsWithWorkLeft < 5); round++) {
      const sluice = box.start(['watch', '-c', file, '--log-format', 'json']);
      // Files keep arriving while the daemon runs (and dies): the watcher, the start-up scan and rescans all feed it.
      writeInputs(initial + round * perRound, initial + (round + 1) * perRound);
      // A random moment: one round in four during start-up (recovery, the start-up scan), the others once a random
      // share of the remaining work is done, plus a random few milliseconds.
      if (random() < 0.25) await killAfter(sluice, Math.floor(random() * 500));
      else {
        const target = box.files('archive').length + Math.floor(random() * 0.8 * left());
        await waitFor('progress', () => box.files('archive').length >= target || sluice.exit, { timeoutMs: 120_000, intervalMs: 5 });
        await killAfter(sluice, Math.floor(random() * 100));
      }
      kills += 1;
      if (left() > 0) killsWithWorkLeft += 1;
      recovered += sluice.logs.filter((l) => /^recovered /.test(l.message)).length;
    }
    assert.ok(killsWithWorkLeft >= 5, `${killsWithWorkLeft} kills landed with work left`);
    const total = inputs.size;
    const last = box.start(['watch', '-c', file, '--log-format', 'json']);
    await waitFor('every input archived', () => box.files('archive').length === total && left() === 0, { timeoutMs: 180_000, intervalMs: 200 });
    // The rounds may have left nothing to do: SIGTERM a daemon that is up (its handlers installed), not one starting.
    await last.ready();
    last.kill('SIGTERM');
    assert.equal((await last.waitForExit(60_000)).code, 0, last.stderr.slice(-2000));
    assertConverged();
    const again = await runJson(box, ['-c', file]);
    assert.deepEqual([again.code, again.report.processed, again.report.failed], [0, 0, 0], 'nothing left to do');
    t.diagnostic(`figures: watch ${total} files, ${kills} SIGKILLs (${killsWithWorkLeft} with work left), ${recovered} recoveries logged, ${Date.now() - started} ms`);
  });

  test('sluice run: 800 files or more, killed mid-way at least 4 times, then run to completion', async (t) => {
    const random = seed(t);
    let written = 800;
    writeInputs(0, written);
    const file = config();
    const started = Date.now();
    let kills = 0;
    for (let round = 0; kills < 4 && round < 20; round++) {
      // A run that finished before its random moment leaves nothing to kill: 200 more inputs for the next round.
      if (left() === 0) writeInputs(written, (written += 200));
      const before = left();
      const run = box.start(['run', '-c', file]);
      // A random moment: now and then during start-up, otherwise once a random share of what is left is done.
      if (random() < 0.2) await killAfter(run, Math.floor(random() * 400));
      else {
        const target = box.files('archive').length + Math.floor(random() * 0.6 * before);
        await waitFor('progress', () => box.files('archive').length >= target || run.exit, { timeoutMs: 120_000, intervalMs: 5 });
        await killAfter(run, Math.floor(random() * 50));
      }
      if (run.exit?.signal === 'SIGKILL' && left() > 0) kills += 1;
      assert.ok(left() <= before, 'never more inputs than before');
    }
    assert.ok(kills >= 4, `${kills} runs killed mid-way`);
    const final = await runJson(box, ['-c', file]);
    assert.equal(final.code, 0, final.stderr.slice(-2000));
    assert.equal(final.report.failed, 0);
    assertConverged();
    const again = await runJson(box, ['-c', file]);
    assert.deepEqual([again.code, again.report.processed, again.report.failed], [0, 0, 0], 'nothing left to do');
    t.diagnostic(`figures: run ${inputs.size} files, ${kills} SIGKILLs mid-run, ${Date.now() - started} ms`);
  });
});
