import type { ResolvedConfig } from '../config/resolved.js';
import { readClusterStatus, type ClusterStatus } from '../ops/cluster-status.js';

/** How stale the cluster's nodes may be on the page. */
const refreshMs = 5000;

/**
 * The cluster's status for the dashboard, read from Redis at most every 5 s and in the background: `latest()` answers
 * at once with the last read (null before the first one, and always outside cluster mode).
 */
export class ClusterView {
  readonly #config: () => ResolvedConfig;
  #latest: ClusterStatus | null = null;
  #readAt = 0;
  #reading = false;

  constructor(config: () => ResolvedConfig) {
    this.#config = config;
  }

  latest(): ClusterStatus | null {
    const config = this.#config();
    if (!config.cluster) return null;
    if (!this.#reading && Date.now() - this.#readAt >= refreshMs) {
      this.#reading = true;
      readClusterStatus(config).then((s) => (this.#latest = s), () => {}).finally(() => {
        this.#reading = false;
        this.#readAt = Date.now();
      });
    }
    return this.#latest;
  }
}
