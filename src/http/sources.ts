import type { ResolvedConfig, ResolvedPipeline } from '../config/resolved.js';
import type { Activity } from '../observability/activity.js';
import type { HeldFile, LiveStatus } from '../observability/stats.js';
import type { LiveFile } from '../ops/live.js';
import type { StateStore } from '../state/store.js';

/** What the dashboard reads from the daemon, each call fresh (a reload replaces the config, engine and stats' view). */
export interface DashboardSources {
  config(): ResolvedConfig;
  /** The live stats (counts since start, queues, jobs in flight). */
  snapshot(): LiveStatus;
  /** Every file the engine holds: settling, queued, running. */
  held(): Iterable<HeldFile>;
  store(): StateStore;
  /** What the engine holds of one input now, as explain shows it. */
  live(pipeline: string, relPath: string): LiveFile | null;
  /** Hands an input to the engine again (after a retry cleared its failure). */
  requeue(p: ResolvedPipeline, relPath: string): void;
  /** This node's name in cluster mode, else null. */
  readonly node: string | null;
  readonly activity: Activity;
}
