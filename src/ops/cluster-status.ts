import type { ResolvedConfig } from '../config/resolved.js';
import { liveNodes } from '../cluster/heartbeats.js';
import { PipelineQueue } from '../cluster/pipeline-queue.js';
import { redisHealth } from '../cluster/redis-health.js';
import { RedisLeases } from '../cluster/redis-leases.js';
import { scannerKey } from '../cluster/scanner-election.js';
import { connectRedis, redisClient, redisLabel } from '../state/redis-connection.js';
import { RedisStore } from '../state/redis-store.js';

/** `sluice status` in cluster mode (what `--json` prints). */
export interface ClusterStatus {
  readonly mode: 'cluster';
  /** True while at least one node's heartbeat is live. */
  readonly running: boolean;
  readonly config: string | null;
  readonly redis: {
    readonly url: string; readonly prefix: string; readonly link: 'up' | 'down';
    readonly version: string | null; readonly usedMemoryBytes: number | null; readonly aof: boolean | null;
    readonly maxmemoryPolicy: string | null; readonly error?: string;
  };
  readonly nodes: readonly {
    readonly node: string; readonly host: string; readonly pid: number; readonly version: string; readonly uptimeMs: number;
    readonly inFlight: number; readonly lastHeartbeat: string; readonly lastHeartbeatAgoMs: number;
  }[];
  readonly pipelines: readonly {
    readonly name: string; readonly scanner: string | null;
    readonly queue: { readonly waiting: number; readonly active: number; readonly delayed: number; readonly failed: number };
    /** Inputs recorded as done and as failed in the shared state (all time). */
    readonly processed: number; readonly failed: number;
  }[];
}

/** Reads the cluster's state from Redis: never fails for an unreachable Redis (link `down`, with the error). */
export async function readClusterStatus(config: ResolvedConfig): Promise<ClusterStatus> {
  const s = config.cluster!;
  const redis = redisClient(s.redis, { retryStrategy: () => null });
  const base = { mode: 'cluster' as const, config: config.file };
  const url = redisLabel(s.redis);
  try {
    await connectRedis(redis, s.redis);
  } catch (err) {
    redis.disconnect();
    return {
      ...base, running: false, nodes: [], pipelines: [],
      redis: { url, prefix: s.prefix, link: 'down', version: null, usedMemoryBytes: null, aof: null, maxmemoryPolicy: null, error: (err as Error).message },
    };
  }
  try {
    const now = Date.now();
    const health = await redisHealth(redis);
    const nodes = (await liveNodes(redis, s.prefix)).map((n) => ({
      node: n.node, host: n.host, pid: n.pid, version: n.version, uptimeMs: now - n.startedAt, inFlight: n.inFlight,
      lastHeartbeat: new Date(n.beatAt).toISOString(), lastHeartbeatAgoMs: Math.max(0, now - n.beatAt),
    }));
    const store = new RedisStore(url, s.prefix, { client: redis.duplicate() });
    const counts = new Map((await store.counts().finally(() => store.close())).map((c) => [c.pipeline, c]));
    const leases = new RedisLeases(redis, { prefix: `${s.prefix}:lk` });
    const pipelines = [];
    for (const p of config.pipelines) {
      const queue = new PipelineQueue(redis, p.name, { prefix: s.prefix });
      const { waiting, active, delayed, failed } = await queue.counts().finally(() => queue.close());
      pipelines.push({
        name: p.name, scanner: await leases.holder(scannerKey(p.name)), queue: { waiting, active, delayed, failed },
        processed: counts.get(p.name)?.done ?? 0, failed: counts.get(p.name)?.failed ?? 0,
      });
    }
    return {
      ...base, running: nodes.length > 0, nodes, pipelines,
      redis: { url, prefix: s.prefix, link: 'up', version: health.version, usedMemoryBytes: health.usedMemoryBytes, aof: health.aof, maxmemoryPolicy: health.maxmemoryPolicy },
    };
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
