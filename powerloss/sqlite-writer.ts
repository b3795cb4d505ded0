/**
 * A child process for powerfs-sqlite.test, on an existing WAL database with a table `rows(id, body)`:
 * - `node sqlite-writer.js DB SYNCHRONOUS FIRST` inserts rows FIRST, FIRST+1, … one transaction each, and prints each
 *   id once its transaction has committed (the commit returned), until it is killed;
 * - `node sqlite-writer.js DB lock ID` commits row ID, then holds the write lock (BEGIN IMMEDIATE), prints `locked`
 *   and waits to be killed.
 */
import Database from 'better-sqlite3';

const [file, mode, first] = process.argv.slice(2);
const db = new Database(file!, { fileMustExist: true });
db.pragma('journal_mode = WAL');
const insert = db.prepare('insert into rows (id, body) values (?, ?)');
if (mode === 'lock') {
  insert.run(Number(first), 'committed before the lock');
  db.exec('begin immediate');
  process.stdout.write('locked\n');
  setInterval(() => {}, 1000);
} else {
  db.pragma(`synchronous = ${mode}`);
  for (let id = Number(first); ; id++) {
    insert.run(id, `row ${id} `.repeat(20));
    process.stdout.write(`${id}\n`);
  }
}
