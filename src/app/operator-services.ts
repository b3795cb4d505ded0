import type { ResolvedConfig } from '../config/resolved.js';
import { ControlServer } from '../control/server.js';
import { Activity } from '../observability/activity.js';
import type { EventBus } from '../observability/events.js';
import { onLogLine, type Logger } from '../observability/logger.js';
import { LiveStats } from '../observability/stats.js';
import { controlRoutes } from './control-routes.js';
import { openHttp, type OpenedHttp } from './open-http.js';
import type { Runtime } from './runtime.js';

export interface OperatorServicesOptions {
  readonly config: ResolvedConfig;
  readonly events: EventBus;
  readonly runtime: Runtime;
  /** The daemon's lifecycle state. */
  readonly state: () => 'idle' | 'running' | 'draining' | 'closed';
  /** The daemon's log, whose warnings and errors are the recent problems; without it, those of engine events. */
  readonly logger?: Logger;
}

/**
 * What a daemon offers operators: live stats, the control socket (status, explain, retry) and, when configured, the
 * HTTP listener (the dashboard and its API, Prometheus `/metrics`, `/healthz`). Started while holding the instance lock; closed before releasing it.
 */
export class OperatorServices {
  readonly stats: LiveStats;
  readonly #activity: Activity;
  readonly #http: OpenedHttp | null;
  readonly #control: ControlServer | null;
  readonly #unsubscribe: () => void;
  #closing: Promise<void> | null = null;

  private constructor(stats: LiveStats, activity: Activity, http: OpenedHttp | null, control: ControlServer | null, unsubscribe: () => void) {
    this.stats = stats;
    this.#activity = activity;
    this.#http = http;
    this.#control = control;
    this.#unsubscribe = unsubscribe;
  }

  static async start(o: OperatorServicesOptions): Promise<OperatorServices> {
    const { config, events, runtime } = o;
    // The engine is read through the runtime on every call: a reload replaces it.
    const stats = new LiveStats(config.pipelines, {
      state: o.state, queues: () => runtime.engine.queues(), files: () => runtime.engine.intake.entries(),
    });
    const activity = new Activity(config.pipelines.map((p) => p.name));
    const unsubscribe = [events.on(stats.listener), events.on(activity.listener)];
    unsubscribe.push(o.logger ? onLogLine(o.logger, (l) => activity.logLine(l.level, l.message, l.fields)) : events.on(activity.eventProblems));
    let http: OpenedHttp | null = null;
    try {
      if (config.http) {
        http = await openHttp({ config, events, runtime, stats, activity, state: o.state }, config.http);
        unsubscribe.push(http.unsubscribe);
        events.emit({ type: 'listening', what: 'metrics', address: http.metricsUrl });
        events.emit({ type: 'listening', what: 'dashboard', address: http.dashboardUrl });
      }
      let control: ControlServer | null = null;
      try {
        const urls = { metricsUrl: http?.metricsUrl ?? null, dashboardUrl: http?.dashboardUrl ?? null };
        control = await ControlServer.listen(config.stateDir, controlRoutes({ runtime, stats, ...urls }));
        events.emit({ type: 'listening', what: 'control', address: control.path });
      } catch (err) {
        // Files are still processed; only status, explain's live part and retry's coordination are missing.
        events.emit({ type: 'warning', code: 'CONTROL_UNAVAILABLE', message: `${(err as Error).message}; sluice status will not see this daemon` });
      }
      return new OperatorServices(stats, activity, http, control, () => {
        for (const u of unsubscribe) u();
      });
    } catch (err) {
      await http?.listener.close();
      for (const u of unsubscribe) u();
      throw err;
    }
  }

  /** Follows a reloaded config (the control routes read the runtime's config and engine themselves). */
  reconfigure(config: ResolvedConfig): void {
    this.stats.reconfigure(config.pipelines);
    this.#activity.reconfigure(config.pipelines.map((p) => p.name));
    this.#http?.registry.reconfigure(config.pipelines.map((p) => p.name));
  }

  /** Stops the control socket (removing it) and the HTTP listener. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#unsubscribe();
      await Promise.all([this.#control?.close(), this.#http?.listener.close()]);
    })();
    return this.#closing;
  }
}
