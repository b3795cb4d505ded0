import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Syncfs } from '../../src/fs/syncfs.js';

describe('Syncfs', () => {
  test('flushes a real file system; callers arriving while one runs share the next flush', async () => {
    const syncfs = new Syncfs();
    try {
      assert.equal(await syncfs.flush(os.tmpdir(), 'tmp'), true);
      const together = [syncfs.flush(os.tmpdir(), 'tmp'), syncfs.flush(os.tmpdir(), 'tmp'), syncfs.flush(os.tmpdir(), 'tmp')];
      assert.equal(together[1], together[2], 'the second and third share one flush');
      assert.notEqual(together[0], together[1], 'which starts after the first');
      assert.deepEqual(await Promise.all(together), [true, true, true]);
    } finally {
      syncfs.close();
    }
  });

  test('says no (the caller fsyncs instead) for a folder that does not exist, a name with a newline, and after close', async () => {
    const syncfs = new Syncfs();
    assert.equal(await syncfs.flush('/no/such/folder', 'a'), false);
    assert.equal(await syncfs.flush(`${os.tmpdir()}/x\ny`, 'b'), false);
    assert.equal(await syncfs.flush(os.tmpdir(), 'c'), true, 'a refused request does not break it');
    syncfs.close();
    assert.equal(await syncfs.flush(os.tmpdir(), 'd'), false);
  });

  test('an idle coprocess does not keep the process alive, and a pending flush does', () => {
    const module = fileURLToPath(new URL('../../src/fs/syncfs.js', import.meta.url));
    const script = `import { Syncfs } from ${JSON.stringify(module)};
      const s = new Syncfs();
      s.flush(${JSON.stringify(os.tmpdir())}, 'k').then((ok) => console.log('flushed', ok));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.signal, null, 'it exited by itself');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'flushed true');
  });
});
