import type { Daemon } from '../app/daemon.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolved.js';
import { ConfigError, describe, SluiceError } from '../errors.js';
import { reconfigureLogger, type Logger } from '../observability/logger.js';
import type { GlobalOptions } from './session.js';

export interface ReloaderOptions {
  readonly daemon: Daemon;
  readonly logger: Logger;
  readonly global: GlobalOptions;
  /** Told after a new config was applied. */
  readonly onApplied?: (config: ResolvedConfig) => void;
}

/**
 * `sluice watch` on SIGHUP: re-reads the config file it started with (`-c FILE` or the discovered ./sluice.yaml), and
 * applies it when it is valid and keeps the stateDir; otherwise logs why and keeps the running config. The command-line
 * --log-level / --log-format still win. With the built-in default (no file) there is nothing to re-read. A SIGHUP during
 * a reload is applied after it, once.
 */
export class ConfigReloader {
  readonly #o: ReloaderOptions;
  #config: ResolvedConfig;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(config: ResolvedConfig, options: ReloaderOptions) {
    this.#config = config;
    this.#o = options;
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  /** Asks for a reload; resolves when it (and any asked for meanwhile) is done. Never rejects. */
  request(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#reloadOnce();
      } while (this.#again);
      this.#running = null;
    })();
    return this.#running;
  }

  async #reloadOnce(): Promise<void> {
    const { logger, global, daemon } = this.#o;
    const file = this.#config.file;
    if (file === null) {
      logger.info('SIGHUP: running the built-in default config (no config file), nothing to reload');
      return;
    }
    if (daemon.state !== 'running') {
      logger.info(`SIGHUP: the service is ${daemon.state}; not reloading`);
      return;
    }
    logger.info(`SIGHUP: reloading the config from ${file}`);
    let next: ResolvedConfig;
    try {
      next = await loadConfig({ config: file, logLevel: global.logLevel, logFormat: global.logFormat });
      if (next.stateDir !== this.#config.stateDir) {
        throw new ConfigError(`${file}: stateDir changed from ${this.#config.stateDir} to ${next.stateDir}; ` +
          'a new state directory needs a restart (stop sluice, then start it on the new config)');
      }
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems.map((p) => `\n  - ${p}`).join('') : '';
      const code = err instanceof SluiceError ? err.code : 'CONFIG_INVALID';
      logger.error(`config reload refused, still running the previous config: ${describe(err)}${problems}`, { code });
      return;
    }
    await this.#apply(next);
  }

  async #apply(next: ResolvedConfig): Promise<void> {
    const { logger, daemon } = this.#o;
    const before = this.#config;
    try {
      await daemon.reload(next);
    } catch (err) {
      logger.error(`config reload failed, still running the previous config: ${describe(err)}`, {
        code: err instanceof SluiceError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'RELOAD_FAILED'),
      });
      return;
    }
    reconfigureLogger(logger, next.log);
    this.#config = next;
    this.#o.onApplied?.(next);
    logger.info(`config reloaded from ${next.file}: ${describeChanges(before, next)}`);
    if (JSON.stringify(before.http) !== JSON.stringify(next.http)) {
      logger.warn('http: changed, but the listener (dashboard, /metrics, /healthz) keeps its address, token and actions ' +
        'until sluice restarts', { code: 'RELOAD_NEEDS_RESTART' });
    }
  }
}

/** `pipelines added: b; changed: a` or `no pipeline changed`. */
export function describeChanges(before: ResolvedConfig, after: ResolvedConfig): string {
  const old = new Map(before.pipelines.map((p) => [p.name, p]));
  const now = new Map(after.pipelines.map((p) => [p.name, p]));
  const added = [...now.keys()].filter((n) => !old.has(n));
  const removed = [...old.keys()].filter((n) => !now.has(n));
  const changed = [...now.values()].filter((p) => old.has(p.name) && old.get(p.name)!.hash !== p.hash).map((p) => p.name);
  const parts = [
    added.length > 0 ? `pipelines added: ${added.join(', ')}` : '',
    removed.length > 0 ? `pipelines removed: ${removed.join(', ')}` : '',
    changed.length > 0 ? `pipelines changed (their inputs are processed again): ${changed.join(', ')}` : '',
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join('; ') : 'no pipeline definition changed (settings apply to new work)';
}
