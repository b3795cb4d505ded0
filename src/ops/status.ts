import type { ResolvedConfig } from '../config/resolved.js';
import { controlRequest } from '../control/client.js';
import { openStoreReadOnly } from '../state/read-only.js';
import { readClusterStatus, type ClusterStatus } from './cluster-status.js';
import type { DaemonStatus } from './live.js';

/** `sluice status` when no daemon serves the state directory: what the state store knows. */
export interface StoredStatus {
  readonly running: false;
  readonly stateDir: string;
  readonly config: string | null;
  /**
   * Per configured pipeline: inputs recorded as done and as failed (all time, not since a start). `processed` repeats
   * `done` so that scripts read the same key whether a daemon runs or not.
   */
  readonly pipelines: readonly { readonly name: string; readonly done: number; readonly processed: number; readonly failed: number }[];
}

export type Status = DaemonStatus | StoredStatus | ClusterStatus;

/**
 * Asks the daemon serving the state directory; without one, reads the store (no lock taken, nothing written). In
 * cluster mode, the cluster's state in Redis: every live node, the queues, the scanners, Redis itself.
 */
export async function readStatus(config: ResolvedConfig): Promise<Status> {
  if (config.cluster) return readClusterStatus(config);
  const live = await controlRequest<DaemonStatus>(config.stateDir, 'GET', '/status');
  if (live !== null) return live;
  const store = await openStoreReadOnly(config);
  try {
    const counts = new Map((await store.counts()).map((c) => [c.pipeline, c]));
    return {
      running: false, stateDir: config.stateDir, config: config.file,
      pipelines: config.pipelines.map((p) => {
        const done = counts.get(p.name)?.done ?? 0;
        return { name: p.name, done, processed: done, failed: counts.get(p.name)?.failed ?? 0 };
      }),
    };
  } finally {
    await store.close();
  }
}
