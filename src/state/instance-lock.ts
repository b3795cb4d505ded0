import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { InstanceLockedError, SluiceError } from '../errors.js';
import { openDatabase } from './sqlite-handles.js';

export interface LockHolder {
  readonly pid: number;
  readonly startedAt: string;
  readonly host: string;
}

/**
 * The single-instance lock of a state directory. The lock itself is an exclusive SQLite (fcntl) lock on
 * `<stateDir>/instance.lock`, which the kernel drops when its process dies, so a lock left by a killed process is taken
 * over by the next start without any guesswork; `<stateDir>/instance.json` names the holder for the error message.
 */
export class InstanceLock {
  readonly #db: Database.Database;
  readonly #infoFile: string;

  private constructor(db: Database.Database, infoFile: string) {
    this.#db = db;
    this.#infoFile = infoFile;
  }

  /** Takes the lock or throws InstanceLockedError naming the holder's pid. */
  static acquire(stateDir: string): InstanceLock {
    try {
      fs.mkdirSync(stateDir, { recursive: true });
    } catch (err) {
      throw unusable(stateDir, 'cannot be created', err);
    }
    const infoFile = path.join(stateDir, 'instance.json');
    let db: Database.Database;
    try {
      db = openDatabase(path.join(stateDir, 'instance.lock'));
    } catch (err) {
      throw unusable(stateDir, 'cannot hold the instance lock', err);
    }
    try {
      db.exec('pragma busy_timeout = 0');
      db.exec('pragma locking_mode = EXCLUSIVE');
      db.exec('create table if not exists holder (pid integer)');
      // A write takes the exclusive lock and keeps it (locking_mode); exec makes no statement (sqlite-handles.ts).
      db.exec(`insert into holder values (${process.pid})`);
      db.exec('delete from holder');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
        throw new InstanceLockedError(stateDir, waitForHolder(infoFile)?.pid ?? null);
      }
      throw unusable(stateDir, 'cannot hold the instance lock', err);
    }
    const holder: LockHolder = { pid: process.pid, startedAt: new Date().toISOString(), host: os.hostname() };
    try {
      fs.writeFileSync(infoFile, `${JSON.stringify(holder)}\n`);
    } catch (err) {
      db.close();
      throw unusable(stateDir, 'cannot be written', err);
    }
    return new InstanceLock(db, infoFile);
  }

  /** Releases the lock; idempotent. */
  release(): void {
    if (!this.#db.open) return;
    try {
      fs.rmSync(this.#infoFile, { force: true });
    } finally {
      this.#db.close();
    }
  }
}

/** A state directory sluice cannot use is fatal: exit 1 with what to do, never a stack trace. */
function unusable(stateDir: string, what: string, err: unknown): SluiceError {
  return new SluiceError('STATE_UNAVAILABLE',
    `The state directory ${stateDir} ${what} (${(err as Error).message}). sluice keeps its lock and state store there: ` +
    'make it a writable folder on a writable file system with free space, or set stateDir to another folder.',
    { kind: 'fatal', cause: err, context: { stateDir } });
}

/** Who holds the lock, as recorded by the holder; null when unknown. */
export function readHolder(infoFile: string): LockHolder | null {
  try {
    return JSON.parse(fs.readFileSync(infoFile, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/** The holder writes its info right after taking the lock: give it a moment before saying the pid is unknown. */
function waitForHolder(infoFile: string): LockHolder | null {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 20; i++) {
    const holder = readHolder(infoFile);
    if (holder !== null) return holder;
    Atomics.wait(pause, 0, 0, 25);
  }
  return null;
}
