import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs';
import { pipeline as pump } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox } from '../test/helpers/process.js';
import { assertExactly, hookPeakKb, mb, pool, RssMonitor, rssHookEnv } from './helpers.js';

// Scenario 11 of issue 3, big files: a 1 GiB input goes through gzip as a stream; sluice's peak RSS stays under
// `boundMb` and the output, gunzipped as a stream, hashes to the input's hash.
const size = 1024 * pool.length;
const boundMb = 200;

describe('chaos: a 1 GiB input', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test(`gzip streams a 1 GiB file with peak RSS under ${boundMb} MB`, async (t) => {
    // 1,024 copies of a 1 MiB block, half random and half text: deflate has to work (no run-length shortcut) but the
    // whole run stays in seconds.
    const input = box.path('inbox/big.bin');
    fs.mkdirSync(box.path('inbox'));
    const fd = fs.openSync(input, 'w');
    const hash = createHash('sha256');
    for (let i = 0; i < 1024; i++) {
      fs.writeSync(fd, pool);
      hash.update(pool);
    }
    fs.closeSync(fd);
    const expected = hash.digest('hex');
    box.config({ pipelines: [pipeline({
      output: { dir: './outbox', path: '{base}.gz' },
      stages: [{ use: 'gzip', with: { level: 1 } }],
    })] });

    const rssFile = box.path('big.rss');
    const started = Date.now();
    const run = box.start(['run', '-c', 'sluice.json'], { env: rssHookEnv(rssFile) });
    const monitor = new RssMonitor(run.pid);
    const exit = await run.waitForExit(300_000);
    const polled = monitor.stop();
    assert.equal(exit.code, 0, run.stderr.slice(-2000));
    const exact = hookPeakKb(rssFile);
    const compressed = fs.statSync(box.path('outbox/big.bin.gz')).size;
    t.diagnostic(`figures: 1 GiB gzip in ${Date.now() - started} ms (${mb(compressed / 1024)} MiB out), peak RSS ` +
      `${mb(exact)} MB (VmHWM polled: ${mb(polled)} MB), bound ${boundMb} MB`);
    assert.ok(mb(exact) < boundMb, `peak RSS ${mb(exact)} MB`);

    const out = createHash('sha256');
    let bytes = 0;
    await pump(createReadStream(box.path('outbox/big.bin.gz')), createGunzip(), async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        out.update(chunk);
      }
    });
    assert.equal(bytes, size);
    assert.equal(out.digest('hex'), expected, 'the output gunzips to the input');
    assertExactly(box, ['inbox/big.bin', 'outbox/big.bin.gz']);
  });
});
