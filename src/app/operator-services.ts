import type { ResolvedConfig } from '../config/resolved.js';
import { ControlServer } from '../control/server.js';
import { HttpService, type Routes } from '../control/http-service.js';
import { SluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import { Metrics } from '../observability/metrics.js';
import { LiveStats } from '../observability/stats.js';
import { controlRoutes } from './control-routes.js';
import type { Runtime } from './runtime.js';

export interface OperatorServicesOptions {
  readonly config: ResolvedConfig;
  readonly events: EventBus;
  readonly runtime: Runtime;
  /** The daemon's lifecycle state. */
  readonly state: () => 'idle' | 'running' | 'draining' | 'closed';
}

/**
 * What a daemon offers operators: live stats, the control socket (status, explain, retry) and, when configured,
 * Prometheus `/metrics` and `/healthz`. Started while holding the instance lock; closed before releasing it.
 */
export class OperatorServices {
  readonly stats: LiveStats;
  readonly #registry: Metrics | null;
  readonly #control: ControlServer | null;
  readonly #metrics: HttpService | null;
  readonly #unsubscribe: () => void;
  #closing: Promise<void> | null = null;

  private constructor(
    stats: LiveStats, registry: Metrics | null, control: ControlServer | null, metrics: HttpService | null, unsubscribe: () => void,
  ) {
    this.stats = stats;
    this.#registry = registry;
    this.#control = control;
    this.#metrics = metrics;
    this.#unsubscribe = unsubscribe;
  }

  static async start(o: OperatorServicesOptions): Promise<OperatorServices> {
    const { config, events, runtime } = o;
    // The engine is read through the runtime on every call: a reload replaces it.
    const stats = new LiveStats(config.pipelines, {
      state: o.state, queues: () => runtime.engine.queues(), files: () => runtime.engine.intake.entries(),
    });
    const unsubscribe = [events.on(stats.listener)];
    let metrics: HttpService | null = null;
    let registry: Metrics | null = null;
    let metricsUrl: string | null = null;
    try {
      if (config.metrics) {
        const prom = (registry = new Metrics(config.pipelines.map((p) => p.name), stats, runtime.cluster));
        unsubscribe.push(events.on(prom.listener));
        metrics = await listenMetrics(config.metrics, {
          'GET /metrics': async () => ({ status: 200, body: await prom.registry.metrics(), type: prom.registry.contentType }),
          'GET /healthz': () => {
            if (o.state() !== 'running') return { status: 503, body: `${o.state()}\n` };
            const problem = runtime.unhealthy();
            return problem === null ? { status: 200, body: 'ok\n' } : { status: 503, body: `degraded: ${problem}\n` };
          },
        });
        const host = config.metrics.host.includes(':') ? `[${config.metrics.host}]` : config.metrics.host;
        metricsUrl = `http://${host}:${metrics.port}/metrics`;
        events.emit({ type: 'listening', what: 'metrics', address: metricsUrl });
      }
      let control: ControlServer | null = null;
      try {
        control = await ControlServer.listen(config.stateDir, controlRoutes({ runtime, stats, metricsUrl }));
        events.emit({ type: 'listening', what: 'control', address: control.path });
      } catch (err) {
        // Files are still processed; only status, explain's live part and retry's coordination are missing.
        events.emit({ type: 'warning', code: 'CONTROL_UNAVAILABLE', message: `${(err as Error).message}; sluice status will not see this daemon` });
      }
      return new OperatorServices(stats, registry, control, metrics, () => unsubscribe.forEach((u) => u()));
    } catch (err) {
      await metrics?.close();
      unsubscribe.forEach((u) => u());
      throw err;
    }
  }

  /** Follows a reloaded config (the control routes read the runtime's config and engine themselves). */
  reconfigure(config: ResolvedConfig): void {
    this.stats.reconfigure(config.pipelines);
    this.#registry?.reconfigure(config.pipelines.map((p) => p.name));
  }

  /** Stops the control socket (removing it) and the metrics server. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#unsubscribe();
      await Promise.all([this.#control?.close(), this.#metrics?.close()]);
    })();
    return this.#closing;
  }
}

async function listenMetrics(at: { readonly host: string; readonly port: number }, routes: Routes): Promise<HttpService> {
  try {
    return await HttpService.listen(at, routes);
  } catch (err) {
    throw new SluiceError('METRICS_UNAVAILABLE',
      `cannot serve metrics on ${at.host}:${at.port} (${(err as Error).message}); choose another metrics.port, or 0 for any free one`,
      { kind: 'fatal', cause: err });
  }
}
