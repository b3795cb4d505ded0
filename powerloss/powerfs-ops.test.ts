import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { codeOf, fsyncPath, readOrNull, writeDurable } from './durable-io.js';
import { powerfsFixture } from './powerfs-fixture.js';
import { powerfsSuite } from './powerfs.js';

// powerfs's operations, through the kernel: O_APPEND, open files that are renamed or unlinked, the errnos, links and
// attributes, EIO while the power is off, and the whole-fs sync.

powerfsSuite('powerfs: operations', () => {
  const f = powerfsFixture();
  const { at, powerCut } = f;

  test('O_APPEND writes go to the end, whatever the offset', async () => {
    writeDurable(at('log'), 'head\n');
    const a = fs.openSync(at('log'), 'a');
    const b = fs.openSync(at('log'), 'a');
    fs.writeSync(a, 'one\n', 0);
    fs.writeSync(b, 'two\n', 0);
    fs.writeSync(a, 'three\n');
    fs.closeSync(a);
    fs.closeSync(b);
    assert.equal(readOrNull(at('log')), 'head\none\ntwo\nthree\n');
  });

  test('an open file keeps working after it is unlinked or renamed; its fsync reaches its inode', async () => {
    writeDurable(at('f'), 'v1');
    const fd = fs.openSync(at('f'), 'r+');
    fs.renameSync(at('f'), at('g'));
    fsyncPath(f.pfs.mount);
    fs.writeSync(fd, 'v2', 0);
    fs.fsyncSync(fd);
    writeDurable(at('h'), 'h');
    const gone = fs.openSync(at('h'), 'r+');
    fs.unlinkSync(at('h'));
    fs.writeSync(gone, 'still writable');
    const back = Buffer.alloc(32);
    assert.equal(back.toString('utf8', 0, fs.readSync(gone, back, 0, 32, 0)), 'still writable');
    fs.closeSync(gone);
    fs.closeSync(fd);
    await powerCut();
    assert.equal(readOrNull(at('g')), 'v2');
    assert.equal(readOrNull(at('f')), null);
    assert.equal(readOrNull(at('h')), 'h', 'the unlink was not durable, the write through the open handle never fsynced');
  });

  test('errnos: ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL', () => {
    fs.mkdirSync(at('d'));
    fs.writeFileSync(at('d', 'f'), 'x');
    fs.mkdirSync(at('e'));
    fs.writeFileSync(at('file'), 'x');
    assert.equal(codeOf(() => fs.readFileSync(at('missing'))), 'ENOENT');
    assert.equal(codeOf(() => fs.mkdirSync(at('d'))), 'EEXIST');
    assert.equal(codeOf(() => fs.writeFileSync(at('d', 'f'), 'x', { flag: 'wx' })), 'EEXIST');
    assert.equal(codeOf(() => fs.readFileSync(at('file', 'x'))), 'ENOTDIR');
    assert.equal(codeOf(() => fs.rmdirSync(at('file'))), 'ENOTDIR');
    assert.equal(codeOf(() => fs.unlinkSync(at('d'))), 'EISDIR');
    assert.equal(codeOf(() => fs.rmdirSync(at('d'))), 'ENOTEMPTY');
    assert.equal(codeOf(() => fs.renameSync(at('e'), at('d'))), 'ENOTEMPTY');
    assert.equal(codeOf(() => fs.renameSync(at('e'), at('file'))), 'ENOTDIR');
    assert.equal(codeOf(() => fs.renameSync(at('file'), at('e'))), 'EISDIR');
    assert.equal(codeOf(() => fs.renameSync(at('d'), at('d', 'sub'))), 'EINVAL');
    assert.equal(codeOf(() => fs.renameSync(at('missing'), at('x'))), 'ENOENT');
    fs.rmdirSync(at('e'));
    fs.renameSync(at('d'), at('e'));
    assert.deepEqual(fs.readdirSync(at('e')), ['f']);
  });

  test('symlinks, hard links, chmod and truncate', async () => {
    writeDurable(at('f'), 'hello world');
    fs.symlinkSync('f', at('s'));
    fs.linkSync(at('f'), at('l'));
    fs.chmodSync(at('f'), 0o600);
    fs.truncateSync(at('f'), 5);
    assert.equal(fs.readlinkSync(at('s')), 'f');
    assert.equal(fs.readFileSync(at('s'), 'utf8'), 'hello');
    assert.equal(fs.statSync(at('l')).ino, fs.statSync(at('f')).ino);
    assert.equal(fs.statSync(at('f')).nlink, 2);
    assert.equal(fs.statSync(at('f')).mode & 0o777, 0o600);
    fsyncPath(f.pfs.mount);
    await powerCut();
    assert.deepEqual(fs.readdirSync(f.pfs.mount).sort(), ['f', 'l', 's']);
    assert.equal(readOrNull(at('l')), 'hello world', 'the truncate and chmod were never fsynced');
    assert.equal(fs.statSync(at('f')).mode & 0o777, 0o644);
    assert.equal(fs.statSync(at('f')).nlink, 2);
  });

  test('every operation fails with EIO between cut and restart; handles from before the cut stay dead', async () => {
    writeDurable(at('f'), 'x');
    const fd = fs.openSync(at('f'), 'r+');
    await f.pfs.cut();
    assert.equal(codeOf(() => fs.readFileSync(at('f'))), 'EIO');
    assert.equal(codeOf(() => fs.writeFileSync(at('g'), 'y')), 'EIO');
    assert.equal(codeOf(() => fs.readdirSync(f.pfs.mount)), 'EIO');
    assert.equal(codeOf(() => fs.statSync(at('f'))), 'EIO');
    assert.equal((await f.pfs.stats()).state, 'off');
    await f.pfs.restart();
    assert.equal(readOrNull(at('f')), 'x');
    // Writes reach powerfs (reads of an old handle may be served by the kernel's page cache).
    assert.equal(codeOf(() => fs.writeSync(fd, 'y')), 'EIO');
    assert.equal(codeOf(() => fs.closeSync(fd)), 'EIO', 'the flush of close fails; the descriptor is closed all the same');
  });

  test('sync makes everything durable', async () => {
    fs.mkdirSync(at('a', 'b'), { recursive: true });
    fs.writeFileSync(at('a', 'b', 'f'), 'deep');
    fs.writeFileSync(at('top'), 'top');
    fs.renameSync(at('top'), at('a', 'top'));
    assert.ok((await f.pfs.stats()).pendingDirOps > 0);
    await f.pfs.sync();
    const stats = await f.pfs.stats();
    assert.equal(stats.pendingDirOps, 0);
    assert.equal(stats.undurableFiles, 0);
    await powerCut();
    assert.equal(readOrNull(at('a', 'b', 'f')), 'deep');
    assert.equal(readOrNull(at('a', 'top')), 'top');
    assert.equal((await f.pfs.stats()).cuts, 1);
  });
});
