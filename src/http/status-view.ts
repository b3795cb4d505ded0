import type { Problem } from '../observability/recent-problems.js';
import type { Revisions } from '../observability/activity.js';
import type { ClusterStatus } from '../ops/cluster-status.js';
import { version } from '../version.js';
import { pendingFiles } from './pending-list.js';
import type { DashboardSources } from './sources.js';

/** Jobs in flight listed in a status (oldest first); `inFlightTotal` counts them all. */
const maxInFlightListed = 200;

/** The dashboard's `GET /api/status` (and each `status` event). */
export interface DashboardStatus {
  readonly version: string;
  readonly pid: number;
  readonly node: string | null;
  readonly state: string;
  readonly startedAt: string;
  readonly uptimeMs: number;
  readonly totals: { processed: number; unchanged: number; failed: number; pending: number; inFlight: number };
  readonly pipelines: readonly unknown[];
  readonly inFlight: readonly unknown[];
  readonly inFlightTotal: number;
  readonly cluster: { readonly node: string; readonly nodes: ClusterStatus['nodes']; readonly redis: 'up' | 'down' } | null;
  readonly problems: readonly Problem[];
  readonly revision: Revisions;
  readonly actions: boolean;
  readonly csrf: string | null;
}

/** Builds the status from the live stats, the activity and (cluster mode) the last cluster status read. */
export function dashboardStatus(
  sources: DashboardSources, extra: { readonly csrf: string; readonly actions: boolean; readonly cluster: ClusterStatus | null },
): DashboardStatus {
  const config = sources.config();
  const live = sources.snapshot();
  const stagesOf = new Map(config.pipelines.map((p) => [p.name, p.stages.map((s) => s.use)]));
  const { oldest, waiting } = pendingExtras(sources);
  const pipelines = live.pipelines.map((p) => {
    const minutes = sources.activity.minutes.read(p.name);
    const stages = stagesOf.get(p.name) ?? [];
    return {
      name: p.name, stages, processed: p.processed, unchanged: p.unchanged, failed: p.failed + p.failedBefore,
      pending: p.pending + (waiting.get(p.name) ?? 0), inFlight: p.inFlight, oldestPendingAgeMs: oldest.get(p.name) ?? null, queue: p.queue,
      throughput: minutes.processed, failedPerMinute: minutes.failed,
    };
  });
  const inFlight = [...live.inFlight].sort((a, b) => b.ageMs - a.ageMs).slice(0, maxInFlightListed).map((j) => ({
    ...j, stageIndex: j.stageIndex + 1, stageCount: stagesOf.get(j.pipeline)?.length ?? 0,
  }));
  const sum = (f: (p: (typeof pipelines)[number]) => number) => pipelines.reduce((n, p) => n + f(p), 0);
  return {
    version, pid: process.pid, node: sources.node, state: live.state, startedAt: live.startedAt, uptimeMs: live.uptimeMs,
    totals: {
      processed: sum((p) => p.processed), unchanged: sum((p) => p.unchanged), failed: sum((p) => p.failed),
      pending: sum((p) => p.pending), inFlight: live.inFlight.length,
    },
    pipelines, inFlight, inFlightTotal: live.inFlight.length,
    cluster: extra.cluster && sources.node !== null
      ? { node: sources.node, nodes: extra.cluster.nodes, redis: extra.cluster.redis.link } : null,
    problems: sources.activity.problems.newestFirst(),
    revision: sources.activity.revisions,
    actions: extra.actions,
    csrf: extra.actions ? extra.csrf : null,
  };
}

/** Each pipeline's oldest pending file's age (ms), and its files waiting for a ready marker. */
function pendingExtras(sources: DashboardSources): { oldest: Map<string, number>; waiting: Map<string, number> } {
  const now = Date.now();
  const oldest = new Map<string, number>();
  const waiting = new Map<string, number>();
  for (const f of pendingFiles(sources)) {
    oldest.set(f.pipeline, Math.max(oldest.get(f.pipeline) ?? 0, now - f.since));
    if (f.state === 'waiting') waiting.set(f.pipeline, (waiting.get(f.pipeline) ?? 0) + 1);
  }
  return { oldest, waiting };
}
