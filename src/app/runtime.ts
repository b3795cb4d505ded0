import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConfig, ResolvedPipeline } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { ClusterGauges } from '../observability/metrics.js';
import type { FileReport } from '../ops/report.js';
import { Engine, type EngineOptions } from '../pipeline/engine.js';
import { recover } from '../pipeline/recovery.js';
import { tempDirName } from '../pipeline/temp-files.js';
import { InstanceLock } from '../state/instance-lock.js';
import { SqliteStore } from '../state/sqlite-store.js';
import type { StateStore } from '../state/store.js';
import type { TransformLog } from '../transforms/types.js';

/**
 * What both composition roots (daemon, one-shot) share: the lock, the store, recovery, the engine. One implementation
 * per mode: one node on SQLite (openRuntime), or a cluster node on Redis (cluster-runtime.ts).
 */
export interface Runtime {
  /** The config the current engine runs (a reload replaces both). */
  readonly config: ResolvedConfig;
  readonly store: StateStore;
  readonly engine: Engine;
  /** The pipelines this node lists now: all on one node; in a cluster those whose scanner lease it holds. */
  scanned(): readonly ResolvedPipeline[];
  /** How often the daemon lists its input folders. */
  readonly rescanIntervalMs: number;
  /** Null while this node can take work; otherwise why not (what /healthz answers with a 503). */
  unhealthy(): string | null;
  /**
   * For a one-shot run: waits until every job this node handed to a shared queue has ended, on whichever node, and
   * returns how each ended. Absent where the engine runs every job itself.
   */
  awaitSubmitted?(signal: AbortSignal): Promise<FileReport[]>;
  /** Cluster mode: this node's name and the shared queues' counts (for metrics). */
  readonly cluster?: ClusterGauges;
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
  /** Create missing input folders on a reload (not on a share, where a missing one means it is not mounted). @default true */
  readonly makeInputDirs?: boolean;
}

/** Takes the instance lock, opens the store, recovers from an earlier crash, creates input folders, starts the engine. */
export async function openRuntime(o: RuntimeOptions): Promise<Runtime> {
  const lock = InstanceLock.acquire(o.config.stateDir);
  let store: SqliteStore | undefined;
  try {
    store = new SqliteStore(o.config.stateDir);
    await recover(o.config, store, o.events);
    await makeInputDirs(o.config);
    return new EngineRuntime(o, { store, release: () => lock.release() });
  } catch (err) {
    await store?.close();
    lock.release();
    throw err;
  }
}

/** What a mode gives the engine runtime: its store, the engine ports it chooses, and what to let go at close. */
export interface RuntimeParts {
  readonly store: StateStore;
  /** Engine ports (path locks, the intake's shared queue); the in-process ones when absent. */
  readonly engine?: Pick<EngineOptions, 'locks' | 'forward' | 'handOffTtlMs'>;
  /** Called last by close(), after the store closed (the instance lock). */
  readonly release: () => void | Promise<void>;
}

/** The runtime of one node: an engine (replaced on reload) on a store; a cluster node builds on it. */
export class EngineRuntime implements Runtime {
  readonly store: StateStore;
  readonly #o: RuntimeOptions;
  readonly #parts: RuntimeParts;
  #config: ResolvedConfig;
  #engine: Engine;
  /** Engines a reload replaced whose jobs still run. */
  readonly #retiring = new Set<Engine>();
  #closing: Promise<void> | null = null;

  constructor(o: RuntimeOptions, parts: RuntimeParts) {
    this.#o = o;
    this.#parts = parts;
    this.store = parts.store;
    this.#config = o.config;
    this.#engine = this.#newEngine(o.config);
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  scanned(): readonly ResolvedPipeline[] {
    return this.#config.pipelines;
  }

  get rescanIntervalMs(): number {
    return this.#config.rescanIntervalMs;
  }

  unhealthy(): string | null {
    return null;
  }

  get engine(): Engine {
    return this.#engine;
  }

  async replaceEngine(next: ResolvedConfig): Promise<{ retired: Promise<void> }> {
    if (this.#o.makeInputDirs !== false) await makeInputDirs(next);
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
      await this.#parts.release();
    }
  }

  #newEngine(config: ResolvedConfig, locks = this.#parts.engine?.locks): Engine {
    const { events, log, onFatal, onOverflow, onFolder, warm } = this.#o;
    const { forward, handOffTtlMs } = this.#parts.engine ?? {};
    const engine = new Engine({ config, store: this.store, events, log, onFatal, onOverflow, onFolder, locks, forward, handOffTtlMs, warm });
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
