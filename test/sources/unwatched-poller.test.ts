import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { UnwatchedPoller } from '../../src/sources/unwatched-poller.js';
import { waitFor } from '../helpers/process.js';

// The fallback when inotify runs out of watches: the folders it could not watch are walked again and again, and the
// operator is told, once per batch of newly unwatched folders.
test('unwatched folders are walked repeatedly, nested ones through their parent, and a warning names the first', async () => {
  const walks: string[] = [];
  const warnings: { folders: number; all: boolean; first: string; code: string }[] = [];
  const poller = new UnwatchedPoller({
    intervalMs: 10,
    walk: async (dir) => void walks.push(dir),
    walkAll: async () => assert.fail('not past the bound'),
    onPolling: (info) => void warnings.push(info),
    onError: (err) => assert.fail(String(err)),
  });
  const a = path.resolve('/in/a');
  poller.add(path.join(a, 'b'), 'ENOSPC');
  poller.add(a, 'ENOSPC');
  poller.add(path.resolve('/in/c'), 'ENOSPC');
  await waitFor('three rounds', () => walks.filter((w) => w === a).length >= 3);
  await poller.close();
  assert.ok(!walks.includes(path.join(a, 'b')), 'a folder inside a polled one is walked with it');
  assert.ok(walks.includes(path.resolve('/in/c')));
  assert.equal(warnings.length, 1);
  assert.deepEqual(warnings[0], { folders: 3, all: false, first: path.join(a, 'b'), code: 'ENOSPC' });
});

test('past its bound the poller walks everything instead of remembering more folders', async () => {
  let all = 0;
  const warnings: boolean[] = [];
  const poller = new UnwatchedPoller({
    intervalMs: 10,
    walk: async () => {},
    walkAll: async () => void (all += 1),
    onPolling: (info) => void warnings.push(info.all),
    onError: (err) => assert.fail(String(err)),
  });
  for (let i = 0; i <= 5000; i++) poller.add(path.resolve(`/in/${i}`), 'ENOSPC');
  await waitFor('two full walks', () => all >= 2);
  await poller.close();
  assert.equal(poller.polling, 0);
  assert.deepEqual(warnings, [true]);
});
