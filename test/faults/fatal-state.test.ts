import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { hasStackTrace } from '../helpers/cli.js';
import { pipeline, Sandbox, waitFor } from '../helpers/process.js';
import { cannotMount, fillUp, mountTmpfs, unmount } from './system.js';

// A state store sluice cannot trust or write is fatal: it stops with exit 1 and one paragraph saying what to do, and
// leaves every input where it is (or processed and recorded): nothing is lost, no partial output is left.
describe('fatal: the state store is corrupt or the state folder unwritable', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    unmount(box.path('state'));
    await box.dispose();
  });

  const config = () => box.config({
    stateDir: './state', pipelines: [pipeline({ onSuccess: { moveTo: './archive' } })],
  });

  /** One "sluice: …" paragraph on stderr (a single line), no stack trace, naming `what`. */
  function assertOneParagraph(stderr: string, what: RegExp): void {
    const plain = stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    assert.equal(plain.length, 1, stderr);
    assert.match(plain[0]!, /^sluice: /);
    assert.match(plain[0]!, what);
    assert.ok(!hasStackTrace(stderr), stderr);
  }

  for (const command of ['run', 'watch'] as const) {
    test(`${command}: a corrupt state.db stops sluice at start with exit 1; nothing is touched`, async () => {
      box.write('state/state.db', 'this is not an SQLite database, just garbage written over it\n'.repeat(100));
      box.write('inbox/a.txt', 'a');
      const r = await box.run([command, '-c', config()]);
      assert.equal(r.code, 1, r.stderr);
      assertOneParagraph(r.stderr, /state\.db cannot be opened \(file is not a database\).*move a corrupt state\.db aside/);
      assert.equal(box.read('inbox/a.txt')!.toString(), 'a');
      assert.deepEqual([box.files('outbox'), box.files('archive')], [[], []]);
    });

    test(`${command}: a state folder on a read-only file system stops sluice at start with exit 1`, { skip: cannotMount() ?? false }, async (t) => {
      const failed = mountTmpfs(box.path('state'), '1m', 'ro');
      if (failed !== null) return t.skip(failed);
      box.write('inbox/a.txt', 'a');
      const r = await box.run([command, '-c', config()]);
      assert.equal(r.code, 1, r.stderr);
      assertOneParagraph(r.stderr, /The state directory .*state cannot hold the instance lock .*writable/);
      assert.equal(box.read('inbox/a.txt')!.toString(), 'a');
      assert.deepEqual(box.files('outbox'), []);
    });
  }

  test('watch: the state folder filling up mid-run stops the daemon with exit 1; a restart finishes the work', { skip: cannotMount() ?? false }, async (t) => {
    const failed = mountTmpfs(box.path('state'), '16m'); // room for the WAL (checkpoints at 1000 pages) once the filler is gone
    if (failed !== null) return t.skip(failed);
    const cfg = config();
    const sluice = box.start(['watch', '-c', cfg, '--log-format', 'json']);
    await sluice.ready();
    fillUp(box.path('state/filler'));
    const names = Array.from({ length: 200 }, (_, i) => `f${i}.txt`);
    for (const name of names) {
      box.write(`inbox/${name}`, `content of ${name}`);
      if (sluice.exit) break;
    }
    const exit = await sluice.waitForExit(60_000);
    assert.equal(exit.code, 1, sluice.stderr.slice(-3000));
    assertOneParagraph(sluice.stderr, /The state store .*state\.db failed \(SQLITE_FULL.*writable and has free space/);
    // Nothing lost: each input is in the inbox or archived, and every output is complete.
    for (const name of names.filter((n) => box.read(`inbox/${n}`) || box.read(`archive/${n}`))) {
      const out = box.read(`outbox/${name}`);
      if (out) assert.equal(out.toString(), `content of ${name}`);
    }
    assert.deepEqual(box.files('outbox').filter((f) => f.startsWith('.sluice-tmp')), [], sluice.stderr);

    fs.rmSync(box.path('state/filler'));
    const again = box.start(['watch', '-c', cfg, '--log-format', 'json']);
    const written = names.filter((n) => box.read(`inbox/${n}`) || box.read(`archive/${n}`));
    await waitFor('every input archived', () => written.every((n) => box.read(`archive/${n}`)), { timeoutMs: 60_000 })
      .catch((err: Error) => assert.fail(`${err.message}\n${again.stderr.slice(-3000)}\ninbox: ${box.files('inbox').join(' ')}`));
    for (const name of written) assert.equal(box.read(`outbox/${name}`)!.toString(), `content of ${name}`);
    again.kill('SIGTERM');
    assert.equal((await again.waitForExit()).code, 0);
  });
});
