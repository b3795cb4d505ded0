import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { InputWatcher } from '../../src/watch/watcher.js';
import { waitFor } from '../helpers/process.js';

// chokidar re-reads a watched folder after every event in it. With an lstat per entry, back to back, a flood of
// files into one folder made that quadratic (a 100,000-file flood crawled at a few files a second and grew past
// 1.5 GB). The watcher lists names with their types, one listing of a folder at a time, paused in proportion to its
// cost; these counters are what the listings did, so a chokidar upgrade that bypasses the override shows up too.
describe('sluice watch: a flood into one folder', () => {
  let dir: string;
  let watcher: InputWatcher | null = null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-flood-watch-'));
  });
  afterEach(async () => {
    await watcher?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('20,000 files: listings stat nothing, never overlap, and stay linear in the files', async () => {
    const files = 20_000;
    const hinted = new Set<string>();
    const folders: string[] = [];
    let overflows = 0;
    watcher = new InputWatcher([{ dir, acceptsDir: () => true }], {
      onFile: (abs) => hinted.add(path.basename(abs)),
      onDir: (abs) => folders.push(path.basename(abs)),
      onOverflow: () => void (overflows += 1),
      onError: (err) => assert.fail(err),
    });
    await watcher.start();
    for (let i = 0; i < files; i++) {
      fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}`);
      // Let events in while the folder grows, as a daemon sees a flood.
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    // A folder made after the flood is still found by a listing of the big folder.
    fs.mkdirSync(path.join(dir, 'after'));
    await waitFor('the new folder reported', () => folders.includes('after'), { timeoutMs: 120_000 });
    await waitFor('every file hinted', () => hinted.size >= files || overflows > 0, { timeoutMs: 120_000 });
    const stats = watcher.listings!;
    console.log(JSON.stringify({ ...stats, hinted: hinted.size, overflows }));
    assert.ok(stats.reads >= 2, `the folder was listed (${stats.reads} listings): chokidar still calls _readdirp`);
    assert.equal(stats.statted, 0, 'no entry was statted');
    assert.equal(stats.maxInFlight, 1, 'one listing of a folder at a time');
    assert.ok(stats.entries <= 40 * files, `${stats.entries} entries listed for ${files} files`);
  });
});
