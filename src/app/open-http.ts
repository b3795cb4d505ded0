import type { ResolvedConfig } from '../config/resolved.js';
import { SluiceError } from '../errors.js';
import { dashboardApi } from '../http/dashboard-api.js';
import { EventStream } from '../http/event-stream.js';
import { HttpListener } from '../http/http-listener.js';
import { Session } from '../http/session.js';
import type { Activity } from '../observability/activity.js';
import type { EventBus } from '../observability/events.js';
import { Metrics } from '../observability/metrics.js';
import type { LiveStats } from '../observability/stats.js';
import { liveFile } from './control-routes.js';
import type { Runtime } from './runtime.js';

export interface OpenHttpOptions {
  readonly config: ResolvedConfig;
  readonly events: EventBus;
  readonly runtime: Runtime;
  readonly stats: LiveStats;
  readonly activity: Activity;
  readonly state: () => 'idle' | 'running' | 'draining' | 'closed';
}

export interface OpenedHttp {
  readonly listener: HttpListener;
  readonly registry: Metrics;
  readonly metricsUrl: string;
  readonly dashboardUrl: string;
  readonly unsubscribe: () => void;
}

/** Starts the `http:` listener: the dashboard and its API over this daemon's runtime, `/metrics` and `/healthz`. */
export async function openHttp(o: OpenHttpOptions, settings: NonNullable<ResolvedConfig['http']>): Promise<OpenedHttp> {
  const { runtime, stats, activity } = o;
  const registry = new Metrics(o.config.pipelines.map((p) => p.name), stats, runtime.cluster);
  const session = new Session(settings.token);
  const dashboard = dashboardApi({
    config: () => runtime.config, snapshot: () => stats.snapshot(), held: () => runtime.engine.intake.entries(),
    store: () => runtime.store, live: (pipeline, relPath) => liveFile({ runtime, stats }, pipeline, relPath),
    requeue: (p, relPath) => runtime.engine.intake.hint(p, relPath), node: runtime.cluster?.node ?? null, activity,
  }, { csrf: session.csrf, actions: settings.actions });
  const events = new EventStream({ snapshot: dashboard.status });
  const unsubscribe = [o.events.on(registry.listener), activity.onChange(() => events.changed())];
  const release = () => {
    for (const u of unsubscribe) u();
  };
  try {
    const listener = await listen(settings, session, {
      metrics: async () => ({ status: 200, body: await registry.registry.metrics(), type: registry.registry.contentType }),
      healthz: () => {
        if (o.state() !== 'running') return { status: 503, body: `${o.state()}\n` };
        const problem = runtime.unhealthy();
        return problem === null ? { status: 200, body: 'ok\n' } : { status: 503, body: `degraded: ${problem}\n` };
      },
      api: dashboard.api, actions: dashboard.actions, events,
    });
    const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
    const base = `http://${host}:${listener.port}`;
    return { listener, registry, metricsUrl: `${base}/metrics`, dashboardUrl: `${base}/`, unsubscribe: release };
  } catch (err) {
    events.close();
    release();
    throw err;
  }
}

async function listen(settings: NonNullable<ResolvedConfig['http']>, session: Session, routes: Parameters<typeof HttpListener.listen>[1]) {
  try {
    return await HttpListener.listen(settings, routes, session);
  } catch (err) {
    throw new SluiceError('HTTP_UNAVAILABLE',
      `cannot serve the dashboard and metrics on ${settings.host}:${settings.port} (${(err as Error).message}); choose another ` +
      'http.port, or 0 for any free one', { kind: 'fatal', cause: err });
  }
}
