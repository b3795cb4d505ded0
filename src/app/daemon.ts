import type { ResolvedConfig } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { TransformLog } from '../transforms/types.js';
import { feed } from '../sources/feed.js';
import { InputWatching } from '../sources/input-watching.js';
import { OperatorServices } from './operator-services.js';
import { Rescans, type ScanVia } from '../sources/rescans.js';
import { openRuntime, type Runtime, type RuntimeOptions } from './runtime.js';

export interface DaemonOptions {
  readonly config: ResolvedConfig;
  readonly events: EventBus;
  readonly log: TransformLog;
  /** The daemon's log: its warnings and errors are the dashboard's recent problems. */
  readonly logger?: Logger;
  /** Opens the runtime of the mode (the composition root chooses: one node, or a cluster node). @default openRuntime */
  readonly open?: (o: RuntimeOptions) => Promise<Runtime>;
}

/**
 * Service mode: recovery, the start-up scan, the watcher, a walk of each folder that appears (chokidar can miss files
 * written into a new folder before it watches it), periodic jittered rescans, and a rescan whenever the watcher fails
 * or the intake overflowed. States: idle → running → draining → closed. close() is graceful and idempotent;
 * abort() cuts in-flight work at once (a second signal).
 */
export class Daemon {
  #o: DaemonOptions;
  /** Aborted by close(), and by reload() for the watcher and scans of the config it replaces. */
  #stop = new AbortController();
  #runtime: Runtime | null = null;
  #ops: OperatorServices | null = null;
  #watching: InputWatching | null = null;
  #rescans = new Rescans({
    scan: (via) => this.#scan(via), intervalMs: () => this.#runtime?.rescanIntervalMs ?? this.#o.config.rescanIntervalMs,
  });
  #closing: Promise<void> | null = null;
  /** The last reload, which the next one (and close) waits for; rescans wait while one runs. */
  #reloading: Promise<void> = Promise.resolve();
  #fatal: unknown = null;
  #done!: (err?: unknown) => void;
  /** Settles when the daemon has closed: resolves after a graceful stop, rejects with a fatal error. */
  readonly finished: Promise<void>;

  constructor(options: DaemonOptions) {
    this.#o = options;
    this.finished = new Promise((resolve, reject) => {
      this.#done = (err) => (err === undefined ? resolve() : reject(err));
    });
  }

  get state(): 'idle' | 'running' | 'draining' | 'closed' {
    if (this.#closing) return this.#runtime ? 'draining' : 'closed';
    return this.#runtime ? 'running' : 'idle';
  }

  async start(): Promise<void> {
    const { config, events } = this.#o;
    this.#runtime = await (this.#o.open ?? openRuntime)({
      config, events, log: this.#o.log,
      onFatal: (err) => this.#onFatal(err),
      onOverflow: () => this.rescan(),
      onFolder: (abs) => this.#newFolder(abs),
      warm: true,
    });
    this.#ops = await OperatorServices.start({
      config, events, runtime: this.#runtime, state: () => this.state, ...(this.#o.logger && { logger: this.#o.logger }),
    });
    await this.#watch();
    this.#rescans.start('scan');
  }

  /** Watches the input folders of the config now in force; close() or a reload aborts `#stop` and closes it. */
  async #watch(): Promise<void> {
    this.#watching = new InputWatching({
      pipelines: this.#o.config.pipelines, events: this.#o.events, intake: () => this.#runtime!.engine.intake,
      hinted: () => this.#runtime!.scanned(),
      signal: this.#stop.signal, rescan: () => this.rescan(), onFatal: (err) => this.#onFatal(err),
    });
    await this.#watching.start();
  }

  /**
   * Applies a new config with the same stateDir, without losing queued work or restarting jobs in flight: stops the
   * watcher and scans, hands over to a new engine (runtime.replaceEngine: in-flight jobs finish under the old config),
   * watches the new input folders and scans them; once the old jobs are done, scans again for their files and for
   * what was queued (events are hints, the scan is the truth). Reloads run one after another; none after close().
   */
  reload(config: ResolvedConfig): Promise<void> {
    const next = this.#reloading.then(() => this.#reload(config));
    this.#reloading = next.catch(() => {});
    return next;
  }

  async #reload(config: ResolvedConfig): Promise<void> {
    if (this.#closing || !this.#runtime) return;
    const scanned = this.#rescans.pause();
    const stopped = this.#stop;
    this.#stop = new AbortController();
    stopped.abort();
    try {
      await this.#watching?.close();
      await scanned;
      // Throws only when a new input folder cannot be created: then the old config keeps running, watched again.
      const { retired } = await this.#runtime.replaceEngine(config);
      this.#o = { ...this.#o, config };
      this.#ops?.reconfigure(config);
      void retired.then(() => this.rescan('scan'), () => {});
    } finally {
      await this.#watch();
      this.#rescans.resume('scan');
    }
  }

  #newFolder(absPath: string): void {
    if (!this.#closing) this.#watching?.newFolder(absPath);
  }

  /** Asks for a reconciliation scan; coalesced with one already running. */
  rescan(via: ScanVia = 'rescan'): void {
    this.#rescans.request(via);
  }

  async #scan(via: ScanVia): Promise<void> {
    const signal = this.#stop.signal;
    try {
      await feed(this.#runtime!.scanned(), this.#runtime!.engine.intake, this.#o.events, via, signal);
    } catch (err) {
      if (!signal.aborted) this.#onFatal(err);
    }
  }

  #onFatal(err: unknown): void {
    this.#fatal ??= err;
    void this.close();
  }

  /** Stops intake, lets in-flight work finish within shutdownGraceMs, aborts the rest. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close(this.#rescans.close());
    return this.#closing;
  }

  async #close(scanned: Promise<void>): Promise<void> {
    await this.#reloading;
    this.#stop.abort();
    try {
      await this.#watching?.close();
      await scanned;
      // The control socket and /healthz stay up while draining; they go before the lock is released.
      try {
        await this.#runtime?.engine.drain(this.#o.config.shutdownGraceMs);
      } finally {
        await this.#ops?.close();
      }
      await this.#runtime?.close(this.#o.config.shutdownGraceMs);
    } finally {
      this.#done(this.#fatal === null ? undefined : this.#fatal);
    }
  }

  /** Aborts in-flight work now (the second SIGTERM / SIGINT). */
  abort(): void {
    this.#runtime?.abort();
    void this.close();
  }
}
