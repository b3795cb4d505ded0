import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { SluiceError } from '../errors.js';
import { fsyncDirSync, mkdirDurableSync } from '../fs/durable.js';
import { openDatabase, prepareKept } from './sqlite-handles.js';
import { addedColumns, fromRow, indexes, schema, toRow, type Row } from './sqlite-rows.js';
import type { AppendIntent, FileRecord, InputKey, PipelineCounts, StateStore } from './store.js';

/**
 * The durable StateStore: SQLite in WAL mode at `<stateDir>/state.db`, `synchronous = FULL`: every transaction fsyncs
 * the WAL before it returns, so a record (or an append intent, or its clearing) is durable before anything that
 * depends on it is done, and records become durable in the order they were made (with NORMAL a commit can roll back
 * after a power cut while the input it let sluice delete is gone). Group commits share that fsync (putAll,
 * markAllDisposed). Failing to open it is fatal.
 */
export class SqliteStore implements StateStore {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #stmts;

  constructor(stateDir: string, options: { readonly?: boolean } = {}) {
    const file = path.join(stateDir, 'state.db');
    this.#file = file;
    let db: Database.Database | undefined;
    try {
      const created = !options.readonly && !fs.existsSync(file);
      if (!options.readonly) mkdirDurableSync(stateDir);
      // Read-only means query_only on a read-write handle: a truly read-only handle on a WAL database leaves the -wal and
      // -shm files behind, while this one removes them on close when it is the last connection (a dry run changes nothing).
      this.#db = db = openDatabase(file, { fileMustExist: options.readonly ?? false });
      if (options.readonly) this.#db.exec('pragma query_only = 1');
      else {
        this.#db.exec('pragma journal_mode = WAL');
        this.#db.exec('pragma synchronous = FULL');
        this.#db.exec(schema);
        this.#migrate();
        this.#db.exec(indexes);
        // SQLite fsyncs the folder for its WAL, not for the database file it just created.
        if (created) fsyncDirSync(stateDir);
      }
      this.#db.exec('pragma busy_timeout = 5000');
    } catch (err) {
      // The handle is kept until the process ends (sqlite-handles.ts): let its file go now.
      if (db?.open) db.close();
      throw new SluiceError('STATE_UNAVAILABLE',
        `The state store ${file} cannot be opened (${(err as Error).message}). Check that stateDir is writable and ` +
        'not corrupt; move a corrupt state.db aside to start afresh (every input is then processed again).',
        { kind: 'fatal', cause: err, context: { file } });
    }
    this.#stmts = this.#prepare();
  }

  /** Adds the columns a state.db made by an older sluice lacks. */
  #migrate(): void {
    const columns = prepareKept<[], { name: string }>(this.#db, 'pragma table_info(files)').all();
    const have = new Set(columns.map((c) => c.name));
    for (const [name, type] of addedColumns) if (!have.has(name)) this.#db.exec(`alter table files add column ${name} ${type}`);
  }

  #prepare() {
    const db = this.#db;
    const prepare = <P extends unknown[] = unknown[], R = unknown>(sql: string) => prepareKept<P, R>(db, sql);
    const put = prepare(`insert or replace into files values (@pipeline, @rel_path, @size, @mtime_ms, @ino, @hash,
        @status, @outputs, @attempts, @stage, @error_code, @error_message, @updated_at, @disposed, @error_class, @finish)`);
    const finished = prepare('update files set finish = null where pipeline = ? and rel_path = ?');
    const disposed = prepare('update files set disposed = 1 where pipeline = ? and rel_path = ?');
    const endAppend = prepare('delete from appends where path = ?');
    // Transaction functions made once: each db.transaction() call prepares its BEGIN and COMMIT again.
    return {
      put, disposed, endAppend,
      putWithAppend: db.transaction((record: FileRecord, appendDone?: string) => {
        put.run(toRow(record));
        if (appendDone !== undefined) endAppend.run(appendDone);
      }),
      putAll: db.transaction((records: readonly FileRecord[]) => {
        for (const record of records) put.run(toRow(record));
      }),
      markAllDisposed: db.transaction((keys: readonly InputKey[]) => {
        for (const k of keys) disposed.run(k.pipeline, k.relPath);
      }),
      markAllFinished: db.transaction((keys: readonly InputKey[]) => {
        for (const k of keys) finished.run(k.pipeline, k.relPath);
      }),
      finishes: prepare<[number], Row>('select * from files where finish is not null limit ?'),
      get: prepare<[string, string], Row>('select * from files where pipeline = ? and rel_path = ?'),
      delete: prepare('delete from files where pipeline = ? and rel_path = ?'),
      beginAppend: prepare('insert or replace into appends values (?, ?)'),
      appends: prepare<[], AppendIntent>('select path, size from appends'),
      pending: prepare<[number], Row>('select * from files where disposed = 0 limit ?'),
      counts: prepare<[], { pipeline: string; status: string; n: number }>(
        'select pipeline, status, count(*) as n from files group by pipeline, status'),
      // No index: outputs is a JSON list and explain is rare; a full scan of a million rows takes about a second.
      producers: prepare<[string, number], Row>(`select * from files where exists
        (select 1 from json_each(files.outputs) where value = ?) order by updated_at desc limit ?`),
      failures: prepare<[number], Row>("select * from files where status = 'failed' order by updated_at desc limit ?"),
    };
  }

  async get(pipeline: string, relPath: string): Promise<FileRecord | undefined> {
    const row = this.#guard(() => this.#stmts.get.get(pipeline, relPath));
    return row && fromRow(row);
  }

  async put(record: FileRecord, appendDone?: string): Promise<void> {
    this.#guard(() => this.#stmts.putWithAppend(record, appendDone));
  }

  async putAll(records: readonly FileRecord[]): Promise<void> {
    this.#guard(() => this.#stmts.putAll(records));
  }

  async markDisposed(pipeline: string, relPath: string): Promise<void> {
    this.#guard(() => this.#stmts.disposed.run(pipeline, relPath));
  }

  async markAllDisposed(keys: readonly InputKey[]): Promise<void> {
    this.#guard(() => this.#stmts.markAllDisposed(keys));
  }

  async markAllFinished(keys: readonly InputKey[]): Promise<void> {
    this.#guard(() => this.#stmts.markAllFinished(keys));
  }

  async pendingFinishes(limit: number): Promise<FileRecord[]> {
    return this.#guard(() => this.#stmts.finishes.all(limit)).map(fromRow);
  }

  async delete(pipeline: string, relPath: string): Promise<void> {
    this.#guard(() => this.#stmts.delete.run(pipeline, relPath));
  }

  async beginAppend(intent: AppendIntent): Promise<void> {
    this.#guard(() => this.#stmts.beginAppend.run(intent.path, intent.size));
  }

  async endAppend(file: string): Promise<void> {
    this.#guard(() => this.#stmts.endAppend.run(file));
  }

  async appends(): Promise<AppendIntent[]> {
    return this.#guard(() => this.#stmts.appends.all());
  }

  async pendingDisposals(limit: number): Promise<FileRecord[]> {
    return this.#guard(() => this.#stmts.pending.all(limit)).map(fromRow);
  }

  async counts(): Promise<PipelineCounts[]> {
    const by = new Map<string, { done: number; failed: number }>();
    for (const row of this.#guard(() => this.#stmts.counts.all())) {
      const c = by.get(row.pipeline) ?? { done: 0, failed: 0 };
      if (row.status === 'done' || row.status === 'failed') c[row.status] = row.n;
      by.set(row.pipeline, c);
    }
    return [...by].map(([pipeline, c]) => ({ pipeline, ...c }));
  }

  async producersOf(output: string, limit: number): Promise<FileRecord[]> {
    return this.#guard(() => this.#stmts.producers.all(output, limit)).map(fromRow);
  }

  async failures(limit: number): Promise<FileRecord[]> {
    return this.#guard(() => this.#stmts.failures.all(limit)).map(fromRow);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** A store that cannot read or write is fatal: the daemon must stop rather than lose track of its files. */
  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'SQLITE_ERROR';
      throw new SluiceError('STATE_FAILED',
        `The state store ${this.#file} failed (${code}: ${(err as Error).message}), so sluice stopped rather than lose ` +
        'track of its files. Check that the state directory is writable and has free space, then start sluice again: ' +
        'work that was not recorded is redone.',
        { kind: 'fatal', cause: err, context: { file: this.#file } });
    }
  }
}
