import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { waitFor } from '../test/helpers/process.js';
import { Powerfs, powerfsSuite } from './powerfs.js';
import { rngFor, suiteSeed } from './seed.js';

// SQLite in WAL mode on powerfs, cut at a random moment while a child process commits one row per transaction. With
// synchronous = FULL every commit that returned survives; with OFF commits are lost: the tool sees the real bug.

const writer = fileURLToPath(new URL('./sqlite-writer.js', import.meta.url));

powerfsSuite('powerfs: SQLite (WAL) across a power cut', () => {
  let tmp: string;
  let pfs: Powerfs;

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'powerfs-sqlite-'));
    pfs = await Powerfs.mount(tmp);
  });
  afterEach(async () => {
    await pfs.unmount();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Commits rows in a child until `commits` have returned, cuts the power, kills it; returns the ids it reported. */
  async function commitThenCut(db: string, synchronous: string, first: number, commits: number): Promise<number[]> {
    const child = spawn(process.execPath, [writer, db, synchronous, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exited = new Promise((resolve) => child.on('close', resolve));
    await waitFor(`${commits} commits\n${err}`, () => out.split('\n').length > commits, { timeoutMs: 30_000, intervalMs: 1 });
    await pfs.cut();
    child.kill('SIGKILL');
    await exited;
    await pfs.restart();
    const ids = out.split('\n').filter((l) => l !== '').map(Number);
    assert.deepEqual(ids, ids.map((_, i) => first + i), 'the writer reports ids in order');
    return ids;
  }

  function setUp(): string {
    const file = path.join(pfs.mount, 'state', 'state.db');
    fs.mkdirSync(path.dirname(file));
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table rows (id integer primary key, body text not null)');
    db.close();
    return file;
  }

  function committed(file: string): { ids: number[]; integrity: string } {
    const db = new Database(file, { fileMustExist: true });
    try {
      const ids = db.prepare<[], { id: number }>('select id from rows order by id').all().map((r) => r.id);
      return { ids, integrity: db.pragma('integrity_check', { simple: true }) as string };
    } finally {
      db.close();
    }
  }

  test('synchronous = FULL: every commit that returned before the cut survives it', async (t) => {
    const rng = rngFor('sqlite FULL');
    const file = setUp();
    await pfs.sync();
    for (let cut = 1; cut <= 3; cut++) {
      const before = committed(file).ids;
      const reported = await commitThenCut(file, 'FULL', before.length + 1, rng.int(20, 300));
      const { ids, integrity } = committed(file);
      t.diagnostic(`seed ${suiteSeed}, cut ${cut}: ${reported.length} commits reported, ${ids.length - before.length} ` +
        'new rows kept');
      assert.equal(integrity, 'ok');
      const lost = [...before, ...reported].filter((id) => !ids.includes(id));
      assert.deepEqual(lost, [], `cut ${cut} (seed ${suiteSeed}): committed rows lost`);
      assert.ok(ids.length <= before.length + reported.length + 1, 'at most the transaction in flight besides');
    }
  });

  for (const synchronous of ['OFF', 'NORMAL']) {
    test(`synchronous = ${synchronous}: commits that returned are lost by a cut (the bug the tool is there to catch)`, async (t) => {
      const rng = rngFor(`sqlite ${synchronous}`);
      const file = setUp();
      await pfs.sync();
      const reported = await commitThenCut(file, synchronous, 1, rng.int(100, 300));
      const { ids, integrity } = committed(file);
      t.diagnostic(`seed ${suiteSeed}: ${reported.length} commits reported, ${ids.length} rows kept`);
      assert.equal(integrity, 'ok');
      assert.ok(ids.length < reported.length, `${reported.length} commits returned and all survived: ${synchronous} should lose some`);
    });
  }

  test('fcntl locks and the shared -shm mapping work across processes (the kernel keeps the locks)', async () => {
    const file = setUp();
    const child = spawn(process.execPath, [writer, file, 'lock', '7'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      await waitFor('the child to hold the write lock', () => out.includes('locked'));
      const db = new Database(file, { fileMustExist: true, timeout: 0 });
      try {
        assert.deepEqual(db.prepare('select id from rows').all(), [{ id: 7 }], 'a reader sees the other process\'s commit');
        assert.throws(() => db.exec("insert into rows values (8, 'x')"), { code: 'SQLITE_BUSY' });
        child.kill('SIGKILL');
        await exited;
        db.exec("insert into rows values (8, 'x')");
        assert.equal(db.prepare('select count(*) as n from rows').pluck().get(), 2);
      } finally {
        db.close();
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
