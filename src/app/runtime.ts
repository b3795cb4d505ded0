import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import { Engine } from '../pipeline/engine.js';
import { recover } from '../pipeline/recovery.js';
import { tempDirName } from '../pipeline/temp-files.js';
import { InstanceLock } from '../state/instance-lock.js';
import { SqliteStore } from '../state/sqlite-store.js';
import type { TransformLog } from '../transforms/types.js';

/** What both composition roots (daemon, one-shot) share: the lock, the store, recovery, the engine. */
export interface Runtime {
  readonly config: ResolvedConfig;
  readonly store: SqliteStore;
  readonly engine: Engine;
  /** Stops the engine within `graceMs`, removes empty temp folders, closes the store and releases the lock. */
  close(graceMs: number): Promise<void>;
}

export interface RuntimeOptions {
  readonly config: ResolvedConfig;
  readonly events: EventBus;
  readonly log: TransformLog;
  readonly onFatal: (err: unknown) => void;
  readonly onOverflow?: () => void;
  readonly onFolder?: (absPath: string) => void;
}

/** Takes the instance lock, opens the store, recovers from an earlier crash, creates input folders, starts the engine. */
export async function openRuntime(o: RuntimeOptions): Promise<Runtime> {
  const lock = InstanceLock.acquire(o.config.stateDir);
  let store: SqliteStore | undefined;
  try {
    store = new SqliteStore(o.config.stateDir);
    await recover(o.config, store, o.events);
    for (const p of o.config.pipelines) await fs.mkdir(p.input.dir, { recursive: true });
    const engine = new Engine({
      config: o.config, store, events: o.events, log: o.log, onFatal: o.onFatal, onOverflow: o.onOverflow,
      onFolder: o.onFolder,
    });
    engine.start();
    const opened = store;
    let closing: Promise<void> | null = null;
    const close = async (graceMs: number) => {
      try {
        await engine.drain(graceMs);
        await removeEmptyTempDirs(o.config);
      } finally {
        opened.close();
        lock.release();
      }
    };
    return { config: o.config, store, engine, close: (graceMs) => (closing ??= close(graceMs)) };
  } catch (err) {
    store?.close();
    lock.release();
    throw err;
  }
}

async function removeEmptyTempDirs(config: ResolvedConfig): Promise<void> {
  for (const p of config.pipelines) {
    await fs.rmdir(path.join(p.output.dir, tempDirName)).catch(() => {});
  }
}
