import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { fsyncPath, readOrNull, writeDurable } from './durable-io.js';
import { powerfsFixture } from './powerfs-fixture.js';
import { powerfsSuite } from './powerfs.js';

// powerfs's own contract (powerfs/durable.py), proved on a real mount through the kernel: what an fsync, an fsync of a
// folder and a whole-fs sync make durable, and what a power cut takes back.

powerfsSuite('powerfs: what survives a power cut', () => {
  const f = powerfsFixture();
  const { at, powerCut } = f;

  test('data written but not fsynced is lost; fsynced data survives', async () => {
    writeDurable(at('a'), 'one\n');
    fs.appendFileSync(at('a'), 'two\n');
    writeDurable(at('b'), 'b1\n');
    const fd = fs.openSync(at('b'), 'a');
    fs.writeSync(fd, 'b2\n');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    await powerCut();
    assert.equal(readOrNull(at('a')), 'one\n');
    assert.equal(readOrNull(at('b')), 'b1\nb2\n');
  });

  test('a create whose folder was not fsynced is undone, even with its data fsynced', async () => {
    writeDurable(at('kept'), 'k');
    writeDurable(at('new'), 'data', { linked: false });
    assert.equal((await f.pfs.stats()).pendingDirOps, 1);
    await powerCut();
    assert.deepEqual(fs.readdirSync(f.pfs.mount), ['kept']);
  });

  test('a create made durable by its folder but never fsynced itself comes back empty', async () => {
    fs.writeFileSync(at('f'), 'unsynced');
    fsyncPath(f.pfs.mount);
    await powerCut();
    assert.equal(readOrNull(at('f')), '');
  });

  test('a rename not made durable is undone: the file is back under its old name, with its durable content', async () => {
    writeDurable(at('old'), 'v1');
    writeDurable(at('old'), 'v2', { linked: false });
    fs.renameSync(at('old'), at('new'));
    await powerCut();
    assert.deepEqual(fs.readdirSync(f.pfs.mount), ['old']);
    assert.equal(readOrNull(at('old')), 'v2');
  });

  for (const synced of ['src', 'dst'] as const) {
    test(`a rename between folders made durable by an fsync of the ${synced} folder is complete`, async () => {
      writeDurable(at('src', 'f'), 'content');
      writeDurable(at('dst', 'other'), 'o');
      fsyncPath(f.pfs.mount);
      fs.renameSync(at('src', 'f'), at('dst', 'f'));
      fsyncPath(at(synced));
      await powerCut();
      assert.deepEqual(fs.readdirSync(at('src')), []);
      assert.deepEqual(fs.readdirSync(at('dst')).sort(), ['f', 'other']);
      assert.equal(readOrNull(at('dst', 'f')), 'content');
    });
  }

  test('a rename replacing a file, made durable, leaves only the new file under the name', async () => {
    writeDurable(at('out'), 'old output');
    writeDurable(at('.tmp'), 'new output');
    fs.renameSync(at('.tmp'), at('out'));
    fsyncPath(f.pfs.mount);
    await powerCut();
    assert.deepEqual(fs.readdirSync(f.pfs.mount), ['out']);
    assert.equal(readOrNull(at('out')), 'new output');
  });

  test('an fsync of a folder applies its connected component of pending operations and leaves the rest pending', async () => {
    for (const d of ['a', 'b', 'c']) fs.mkdirSync(at(d));
    await f.pfs.sync();
    fs.writeFileSync(at('a', 'x'), '');
    fs.renameSync(at('a', 'x'), at('b', 'x'));
    fs.writeFileSync(at('b', 'y'), '');
    fs.writeFileSync(at('c', 'z'), '');
    assert.equal((await f.pfs.stats()).pendingDirOps, 4);
    fsyncPath(at('b'));
    assert.equal((await f.pfs.stats()).pendingDirOps, 1, 'a and b are linked by the rename; c is not');
    await powerCut();
    assert.deepEqual(fs.readdirSync(at('a')), []);
    assert.deepEqual(fs.readdirSync(at('b')).sort(), ['x', 'y']);
    assert.deepEqual(fs.readdirSync(at('c')), []);
  });

  test('a mkdir whose parent was not fsynced is gone after a cut, with what was inside', async () => {
    fs.mkdirSync(at('d'));
    writeDurable(at('d', 'f'), 'inside');
    await powerCut();
    assert.deepEqual(fs.readdirSync(f.pfs.mount), []);
  });

  test('a mkdir made durable by its parent keeps what its own fsync made durable', async () => {
    fs.mkdirSync(at('d'));
    writeDurable(at('d', 'f'), 'inside');
    fsyncPath(f.pfs.mount);
    fs.writeFileSync(at('d', 'lost'), 'never linked durably');
    await powerCut();
    assert.deepEqual(fs.readdirSync(at('d')), ['f']);
    assert.equal(readOrNull(at('d', 'f')), 'inside');
  });

  test('an unlink not made durable is undone; one made durable is not', async () => {
    writeDurable(at('a'), 'A');
    writeDurable(at('d', 'b'), 'B');
    fsyncPath(f.pfs.mount);
    fs.unlinkSync(at('a'));
    fs.unlinkSync(at('d', 'b'));
    fsyncPath(at('d'));
    await powerCut();
    assert.equal(readOrNull(at('a')), 'A');
    assert.equal(readOrNull(at('d', 'b')), null);
  });

  test('durable files keep their inode numbers and nanosecond times across a cut', async () => {
    writeDurable(at('x', 'f'), 'fingerprinted');
    fs.utimesSync(at('x', 'f'), 1_700_000_000.123456, 1_700_000_000.987654);
    fsyncPath(at('x', 'f'));
    fsyncPath(f.pfs.mount);
    const before = fs.statSync(at('x', 'f'), { bigint: true });
    fs.writeFileSync(at('y'), 'a new inode, lost');
    await powerCut();
    const after = fs.statSync(at('x', 'f'), { bigint: true });
    for (const key of ['ino', 'size', 'mtimeNs', 'ctimeNs', 'mode', 'nlink'] as const) {
      assert.equal(after[key], before[key], key);
    }
    assert.equal(after.mtimeMs, before.mtimeMs);
    writeDurable(at('z'), 'after the cut');
    assert.ok(fs.statSync(at('z')).ino > fs.statSync(at('x', 'f')).ino, 'inode numbers are never reused');
  });
});
