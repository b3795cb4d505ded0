import type { Routes } from '../control/http-service.js';
import type { LiveStats } from '../observability/stats.js';
import type { DaemonStatus, LiveFile } from '../ops/live.js';
import type { Runtime } from './runtime.js';

export type { DaemonStatus, LiveFile } from '../ops/live.js';

export interface RoutesOptions {
  /** Its config and engine are read on each request: a reload replaces them. */
  readonly runtime: Runtime;
  readonly stats: LiveStats;
  readonly metricsUrl: string | null;
  /** The dashboard's address, or null without an `http:` listener. */
  readonly dashboardUrl: string | null;
}

/** The control socket's routes: status, one file's live state, and clearing a failure for `sluice retry`. */
export function controlRoutes(o: RoutesOptions): Routes {
  return {
    'GET /status': () => {
      const body: DaemonStatus = {
        running: true, pid: process.pid, stateDir: o.runtime.config.stateDir, config: o.runtime.config.file, metrics: o.metricsUrl,
        dashboard: o.dashboardUrl,
        ...o.stats.snapshot(),
      };
      return { status: 200, body };
    },
    'GET /file': ({ query }) => ({ status: 200, body: liveFile(o, query.get('pipeline') ?? '', query.get('path') ?? '') }),
    // Clears a recorded failure so the input, once moved back, is processed again. The daemon is the one writer of
    // its store while it runs: `sluice retry` asks it here instead of writing itself.
    'POST /retry': async ({ body }) => {
      const { pipeline, path } = (body ?? {}) as { pipeline?: unknown; path?: unknown };
      if (typeof pipeline !== 'string' || typeof path !== 'string') {
        return { status: 400, body: { error: 'expected { pipeline, path }' } };
      }
      if (!o.runtime.config.pipelines.some((p) => p.name === pipeline)) {
        return { status: 404, body: { error: `the daemon has no pipeline named ${pipeline}` } };
      }
      const record = await o.runtime.store.get(pipeline, path);
      const cleared = record?.status === 'failed';
      if (cleared) await o.runtime.store.delete(pipeline, path);
      // An input kept in place changes nothing the watcher sees: hand it to the engine (a moved-back one arrives anyway).
      const p = o.runtime.config.pipelines.find((c) => c.name === pipeline);
      if (cleared && p) o.runtime.engine.intake.hint(p, path);
      return { status: 200, body: { cleared } };
    },
  };
}

/** What the daemon holds of one input now: settling, queued (with its position) or running (with its stage); or null. */
export function liveFile(o: Pick<RoutesOptions, 'runtime' | 'stats'>, pipeline: string, relPath: string): LiveFile | null {
  const intake = o.runtime.engine.intake;
  const entry = intake.lookup(pipeline, relPath);
  if (!entry) return null;
  const live: LiveFile = { state: entry.state, since: new Date(entry.since).toISOString(), ageMs: Math.max(0, Date.now() - entry.since) };
  if (entry.state === 'queued') {
    let position = 1;
    for (const e of intake.entries()) if (e.pipeline === pipeline && e.state === 'queued' && e.order < entry.order) position += 1;
    return { ...live, position };
  }
  const job = entry.state === 'running' ? o.stats.job(pipeline, relPath) : undefined;
  return job ? { ...live, stage: job.stage, waiting: job.waiting, attempt: job.attempt } : live;
}
