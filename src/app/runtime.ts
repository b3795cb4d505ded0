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
  /** The config the current engine runs (a reload replaces both). */
  readonly config: ResolvedConfig;
  readonly store: SqliteStore;
  readonly engine: Engine;
  /**
   * A config reload (same stateDir): the current engine stops taking work and its jobs in flight finish under the old
   * config, never aborted; a new engine on `config` starts at once, on the same lock, store and output path locks, and
   * leaves those in-flight files alone until they are done. `retired` resolves then: rescan, since queued and settling
   * files were dropped with the old engine (the scan is the truth).
   */
  replaceEngine(config: ResolvedConfig): Promise<{ retired: Promise<void> }>;
  /** Aborts every job in flight at once, a retiring engine's too. */
  abort(): void;
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
    const opened = store;
    const newEngine = (config: ResolvedConfig, locks?: Engine['locks']) => {
      const engine = new Engine({ config, store: opened, events: o.events, log: o.log, onFatal: o.onFatal, onOverflow: o.onOverflow,
        onFolder: o.onFolder, locks,
      });
      engine.start();
      return engine;
    };
    let config = o.config;
    let engine = newEngine(config);
    /** Engines a reload replaced whose jobs still run. */
    const retiring = new Set<Engine>();
    const replaceEngine = async (next: ResolvedConfig) => {
      for (const p of next.pipelines) await fs.mkdir(p.input.dir, { recursive: true });
      const old = engine;
      const running = old.intake.runningKeys();
      engine = newEngine(next, old.locks);
      config = next;
      const release = engine.intake.hold(running);
      retiring.add(old);
      const retired = old.retire().finally(() => {
        retiring.delete(old);
        release();
      });
      return { retired };
    };
    let closing: Promise<void> | null = null;
    const close = async (graceMs: number) => {
      try {
        await Promise.all([engine.drain(graceMs), ...[...retiring].map((e) => drainRetired(e, graceMs))]);
        await removeEmptyTempDirs(config);
      } finally {
        opened.close();
        lock.release();
      }
    };
    return {
      get config() {
        return config;
      },
      store,
      get engine() {
        return engine;
      },
      replaceEngine,
      abort: () => {
        for (const e of [engine, ...retiring]) e.abort();
      },
      close: (graceMs) => (closing ??= close(graceMs)),
    };
  } catch (err) {
    store?.close();
    lock.release();
    throw err;
  }
}

/** Gives a retiring engine's jobs `graceMs` more, then aborts them (shutdown during a reload). */
async function drainRetired(engine: Engine, graceMs: number): Promise<void> {
  const timer = setTimeout(() => engine.abort(), graceMs);
  try {
    await engine.retire();
  } finally {
    clearTimeout(timer);
  }
}

async function removeEmptyTempDirs(config: ResolvedConfig): Promise<void> {
  for (const p of config.pipelines) {
    await fs.rmdir(path.join(p.output.dir, tempDirName)).catch(() => {});
  }
}
