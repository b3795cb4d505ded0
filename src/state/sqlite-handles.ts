import Database from 'better-sqlite3';

/**
 * better-sqlite3's native objects (a Database, a Statement) must never become garbage: sluice keeps every one it makes
 * until the process ends. Compiled against Node 24.19 or later headers, node::ObjectWrap's destructor removes a cleanup
 * hook from the current Environment, and aborts the process (SIGABRT: `RemoveEnvironmentCleanupHook ... (env) !=
 * nullptr`) when V8 collects the object in a GC that one of its tasks started, outside any context (nodejs/node#65446):
 * any time, not only at exit. At exit Node frees the kept ones through those same hooks, inside the Environment, safely.
 * On Node 20 nothing aborts, and keeping them costs a few hundred bytes a handle after close.
 *
 * Bounded by what a process opens: a runtime opens the instance lock and the store once (two databases, a fixed set of
 * statements each), an operator command one store; only a test process that opens many stores keeps more.
 * So: no throwaway statements. `db.pragma()` prepares one on each call: set pragmas with `db.exec('pragma …')`, and
 * read with a statement made by prepareKept. `iterate()` and `backup()` make native objects too: sluice uses neither.
 */
const kept = new Set<object>();

/** Opens a database whose handle is kept (see above). Throws what better-sqlite3 throws. */
export function openDatabase(file: string, options?: Database.Options): Database.Database {
  const db = new Database(file, options);
  kept.add(db);
  return db;
}

/** Prepares `sql` on `db` into a statement that is kept (see above): prepare each once, not per call. */
export function prepareKept<P extends unknown[] = unknown[], R = unknown>(db: Database.Database, sql: string):
  Database.Statement<P, R> {
  const statement = db.prepare<P, R>(sql);
  kept.add(statement);
  return statement;
}
