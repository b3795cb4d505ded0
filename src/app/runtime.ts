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
  /** Start the batched path's worker threads with the engine (see EngineOptions.warm). */
  readonly warm?: boolean;
}

/** Takes the instance lock, opens the store, recovers from an earlier crash, creates input folders, starts the engine. */
export async function openRuntime(o: RuntimeOptions): Promise<Runtime> {
  const lock = InstanceLock.acquire(o.config.stateDir);
  let store: SqliteStore | undefined;
  try {
    store = new SqliteStore(o.config.stateDir);
    await recover(o.config, store, o.events);
    await makeInputDirs(o.config);
    return new OpenRuntime(o, lock, store);
  } catch (err) {
    await store?.close();
    lock.release();
    throw err;
  }
}

class OpenRuntime implements Runtime {
  readonly store: SqliteStore;
  readonly #o: RuntimeOptions;
  readonly #lock: InstanceLock;
  #config: ResolvedConfig;
  #engine: Engine;
  /** Engines a reload replaced whose jobs still run. */
  readonly #retiring = new Set<Engine>();
  #closing: Promise<void> | null = null;

  constructor(o: RuntimeOptions, lock: InstanceLock, store: SqliteStore) {
    this.#o = o;
    this.#lock = lock;
    this.store = store;
    this.#config = o.config;
    this.#engine = this.#newEngine(o.config);
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  get engine(): Engine {
    return this.#engine;
  }

  async replaceEngine(next: ResolvedConfig): Promise<{ retired: Promise<void> }> {
    await makeInputDirs(next);
    const old = this.#engine;
    const running = old.intake.runningKeys();
    this.#engine = this.#newEngine(next, old.locks);
    this.#config = next;
    const release = this.#engine.intake.hold(running);
    this.#retiring.add(old);
    const retired = old.retire().finally(() => {
      this.#retiring.delete(old);
      release();
    });
    return { retired };
  }

  abort(): void {
    for (const e of [this.#engine, ...this.#retiring]) e.abort();
  }

  close(graceMs: number): Promise<void> {
    this.#closing ??= this.#close(graceMs);
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    try {
      await Promise.all([this.#engine.drain(graceMs), ...[...this.#retiring].map((e) => drainRetired(e, graceMs))]);
      await removeEmptyTempDirs(this.#config);
    } finally {
      await this.store.close();
      this.#lock.release();
    }
  }

  #newEngine(config: ResolvedConfig, locks?: Engine['locks']): Engine {
    const { events, log, onFatal, onOverflow, onFolder, warm } = this.#o;
    const engine = new Engine({ config, store: this.store, events, log, onFatal, onOverflow, onFolder, locks, warm });
    engine.start();
    return engine;
  }
}

async function makeInputDirs(config: ResolvedConfig): Promise<void> {
  for (const p of config.pipelines) await fs.mkdir(p.input.dir, { recursive: true });
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
