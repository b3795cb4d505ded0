import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox, waitFor, type SluiceProcess } from '../helpers/process.js';

// kill -9 in the middle of processing, then a restart: every input ends up processed exactly once visibly — complete,
// correct outputs, inputs archived byte for byte, no temp file left, no append block twice or half.
describe('sluice watch: kill -9 mid-run, then restart', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  /** Kills the daemon once `progress()` reports `atLeast` finished inputs (more, or all, on a fast machine). */
  async function killMidRun(sluice: SluiceProcess, progress: () => number, atLeast: number): Promise<void> {
    await waitFor(`${atLeast} committed inputs`, () => progress() >= atLeast, { intervalMs: 5 });
    sluice.kill('SIGKILL');
    await sluice.waitForExit();
  }

  async function restartUntil(config: string, what: string, done: () => boolean): Promise<void> {
    const again = box.start(['watch', '-c', config]);
    await waitFor(what, done, { timeoutMs: 30_000 });
    again.kill('SIGTERM');
    assert.equal((await again.waitForExit()).code, 0, again.stderr);
    assert.match(again.stderr, /watching /);
  }

  function assertNoTemps(): void {
    const temps = box.files().filter((f) => /\.sluice-tmp\/|\.tmp$|\.sluice-(write|move)$/.test(f));
    assert.deepEqual(temps, [], 'no temp file is left anywhere');
  }

  test('replace mode with moveTo: every output complete and every input archived byte-identical', async () => {
    const inputs = new Map<string, Buffer>();
    for (let i = 0; i < 60; i++) {
      // Random bytes barely compress, so gzip takes a while and the kill lands while jobs are in flight.
      const name = `${i % 3 === 0 ? 'sub/' : ''}f${i}.bin`;
      inputs.set(name, randomBytes(256 * 1024 + i));
      box.write(`inbox/${name}`, inputs.get(name)!);
    }
    const config = box.config({
      pipelines: [pipeline({
        output: { dir: './outbox', path: '{relDir}/{base}.gz' },
        onSuccess: { moveTo: './archive' },
        stages: [{ use: 'gzip', with: { level: 9 }, concurrency: 4 }],
      })],
    });
    const first = box.start(['watch', '-c', config]);
    await killMidRun(first, () => box.files('archive').length, 6);

    await restartUntil(config, 'every input archived', () => box.files('archive').length === inputs.size);
    assert.deepEqual(box.files('inbox'), []);
    assert.deepEqual(box.files('archive'), [...inputs.keys()].sort());
    assert.deepEqual(box.files('outbox'), [...inputs.keys()].map((n) => `${n}.gz`).sort(), 'exactly one output each');
    for (const [name, content] of inputs) {
      assert.ok(box.read(`archive/${name}`)!.equals(content), `archive/${name} is byte-identical`);
      assert.ok(gunzipSync(box.read(`outbox/${name}.gz`)!).equals(content), `outbox/${name}.gz is complete`);
    }
    assertNoTemps();
  });

  test('append mode: after kill -9 and restart each block is in the output exactly once, whole', async () => {
    const blocks = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      // Each block is its own lines, tagged with its file name and a checksum of its body.
      const body = `${String(i).padStart(4, '0')}:${'x'.repeat(4000 + (i % 7) * 1000)}`;
      const sum = createHash('sha1').update(body).digest('hex');
      blocks.set(`b${i}.txt`, `BEGIN b${i}.txt ${sum}\n${body}\nEND b${i}.txt\n`);
    }
    for (const [name, block] of blocks) box.write(`inbox/${name}`, block);
    const config = box.config({
      pipelines: [pipeline({
        output: { dir: './outbox', path: 'all.log', mode: 'append' },
        onSuccess: { moveTo: './archive' },
        stages: [{ use: 'copy', concurrency: 4 }],
      })],
    });
    const first = box.start(['watch', '-c', config]);
    await killMidRun(first, () => box.files('archive').length, 20);

    await restartUntil(config, 'every input archived', () => box.files('archive').length === blocks.size);
    assert.deepEqual(box.files('inbox'), []);
    assert.deepEqual(box.files('outbox'), ['all.log']);
    const log = box.read('outbox/all.log')!.toString();
    const found = log.match(/BEGIN b\d+\.txt [0-9a-f]+\n[^\n]*\nEND b\d+\.txt\n/g) ?? [];
    assert.equal(found.join(''), log, 'the output is whole blocks only, none interleaved or cut');
    const counts = new Map<string, number>();
    for (const block of found) {
      const name = /^BEGIN (\S+)/.exec(block)![1]!;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      assert.equal(block, blocks.get(name), `${name} is intact`);
    }
    const twice = [...counts].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], 'no block appears twice');
    assert.equal(counts.size, blocks.size, 'every block appears');
    for (const [name, block] of blocks) assert.equal(box.read(`archive/${name}`)!.toString(), block);
    assertNoTemps();
  });

  test('a restart after kill -9 clears the temp folder even when nothing is left to do', async () => {
    const config = box.config({ pipelines: [pipeline({ onSuccess: { moveTo: './archive' } })] });
    box.write('outbox/.sluice-tmp/12345-1-s0.tmp', 'half a result from a dead process');
    const sluice = box.start(['watch', '-c', config]);
    await sluice.ready();
    await waitFor('the orphaned temp file to be removed', () => box.files('outbox').length === 0);
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
    assertNoTemps();
  });
});
