import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, type SluiceProcess } from '../helpers/process.js';

/** Runs sluice in a user namespace whose inotify watch limit is `limit` (Linux ≥ 5.11 counts watches per namespace). */
function limited(limit: number): string[] {
  return ['unshare', '--user', '--map-root-user', '/bin/sh', '-c',
    `echo ${limit} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`];
}

const canLimit = spawnSync(limited(1)[0]!, [...limited(1).slice(1), 'true']).status === 0;

// When inotify runs out of watches, sluice must not go blind in silence: it says so and polls what it cannot watch.
describe('sluice watch: the inotify watch limit', { skip: canLimit ? false : 'needs unprivileged user namespaces (unshare)' }, () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  test('folders past the limit are polled, a warning says so, and files written there are processed', async () => {
    for (let d = 0; d < 20; d++) box.write(`inbox/d${d}/deep/seed.txt`, 'seed');
    const config = box.config({ rescanIntervalMs: 0, pipelines: [pipeline()] });
    const sluice: SluiceProcess = box.start(['watch', '-c', config, ...debugJson], { prefix: limited(8) });
    await sluice.ready({ timeoutMs: 60_000 });
    const warning = await sluice.waitForLog('the watch-limit warning', (l) => /^cannot watch .*ENOSPC/.test(l.message));
    assert.equal(warning['level'], 'warn');
    assert.equal(warning['code'], 'ENOSPC');
    for (let d = 0; d < 20; d++) box.write(`inbox/d${d}/deep/late.txt`, `late ${d}`);
    for (let d = 0; d < 20; d++) {
      await sluice.processed(`d${d}/deep/late.txt`, { timeoutMs: 60_000 });
      assert.equal(box.read(`outbox/d${d}/deep/late.txt`)?.toString(), `late ${d}`);
    }
    assert.equal(sluice.logs.filter((l) => /^cannot watch/.test(l.message)).length, 1, 'one warning, not one per folder');
  });
});
