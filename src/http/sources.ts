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

/** A page of a list: 100 items, `page` 1-based. */
export interface Page<T> {
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  readonly pages: number;
  readonly items: readonly T[];
}

export const pageSize = 100;

/** The `page` of `items` (clamped to the pages there are). */
export function pageOf<T>(items: readonly T[], page: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const at = Math.min(Math.max(1, Number.isFinite(page) ? Math.floor(page) : 1), pages);
  return { page: at, pageSize, total: items.length, pages, items: items.slice((at - 1) * pageSize, at * pageSize) };
}

/** A path filter from `?q=` (case-insensitive substring) and `?pipeline=`. */
export function filterOf(query: URLSearchParams): (item: { readonly pipeline: string; readonly path: string }) => boolean {
  const q = (query.get('q') ?? '').trim().toLowerCase();
  const pipeline = query.get('pipeline') || null;
  return (item) => (pipeline === null || item.pipeline === pipeline) && (q === '' || item.path.toLowerCase().includes(q));
}
