import fs from 'node:fs/promises';
import os from 'node:os';
import { ClusterLocks } from '../cluster/cluster-locks.js';
import { ClusterWatch } from '../cluster/cluster-watch.js';
import { Heartbeat } from '../cluster/heartbeats.js';
import { nodeTag, nodeTagPrefix, sluiceVersion } from '../cluster/node-identity.js';
import { PipelineQueue } from '../cluster/pipeline-queue.js';
import { QueueRoom } from '../cluster/queue-room.js';
import { checkRedis, redisHealth } from '../cluster/redis-health.js';
import { connectRedis, redisClient, redisLabel } from '../state/redis-connection.js';
import { RedisLeases } from '../cluster/redis-leases.js';
import { SubmittedBatch } from '../cluster/submitted-batch.js';
import type { Via } from '../pipeline/admit.js';
import type { Job } from '../pipeline/job.js';
import { recover } from '../pipeline/recovery.js';
import { tempTagOf, useTempTag } from '../pipeline/temp-files.js';
import { InstanceLock } from '../state/instance-lock.js';
import { RedisStore } from '../state/redis-store.js';
import { clusterJobs } from '../cluster/cluster-jobs.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { EngineRuntime, type Runtime, type RuntimeOptions } from './runtime.js';

export interface ClusterRuntimeOptions extends RuntimeOptions {
  /** `watch` waits for an unreachable Redis (retrying, a line each time); `run` fails at once. */
  readonly waitForRedis: boolean;
  /** `run`: keep the ids of the jobs this node submits, for awaitSubmitted (a daemon keeps none). */
  readonly batch?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The composition root of a cluster node: the same engine on three other ports — the state store on Redis, the
 * intake's queue on BullMQ (one queue per pipeline; every node works on every pipeline whose definition it shares),
 * the path locks as fenced Redis leases — plus what only a cluster has: heartbeats, the scanner role per pipeline, the
 * janitor of dead nodes' temps and the check that this node still sees the share (cluster-watch.ts).
 */
export async function openClusterRuntime(o: ClusterRuntimeOptions): Promise<Runtime> {
  const s = o.config.cluster!;
  const lock = InstanceLock.acquire(o.config.stateDir);
  const clients = [redisClient(s.redis), redisClient(s.redis), redisClient(s.redis)] as const;
  const [storeClient, coord, bull] = clients;
  const quit = () => Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  try {
    await connectRedis(coord, s.redis, {
      retry: o.waitForRedis, signal: o.signal,
      onRetry: (message, waitMs) => o.events.emit({ type: 'cluster', level: 'warn', code: 'REDIS_UNREACHABLE', message: `${message} Trying again in ${Math.round(waitMs / 1000)} s.` }),
    });
    for (const warning of checkRedis(await redisHealth(coord), redisLabel(s.redis))) {
      o.events.emit({ type: 'cluster', level: 'warn', code: 'REDIS_AOF_OFF', message: warning });
    }
    await Promise.all([connectRedis(storeClient, s.redis), connectRedis(bull, s.redis)]);
    return await assemble(o, lock, clients, quit);
  } catch (err) {
    await quit();
    lock.release();
    throw err;
  }
}

type Clients = readonly [ReturnType<typeof redisClient>, ReturnType<typeof redisClient>, ReturnType<typeof redisClient>];

async function assemble(o: ClusterRuntimeOptions, lock: InstanceLock, clients: Clients, quit: () => Promise<unknown>): Promise<Runtime> {
  const s = o.config.cluster!;
  const [storeClient, coord, bull] = clients;
  const startedAt = Date.now();
  const tag = nodeTag(s.node, startedAt);
  useTempTag(tag);
  const store = new RedisStore(redisLabel(s.redis), s.prefix, { client: storeClient });
  const leases = new RedisLeases(coord, { ttlMs: s.lockMs, prefix: `${s.prefix}:lk` });
  const locks = new ClusterLocks(leases, Math.floor(s.lockMs / 3));
  await recover(o.config, store, o.events, {
    locks, ownTemps: (name) => tempTagOf(name).startsWith(nodeTagPrefix(s.node)) && tempTagOf(name) !== tag,
  });
  const queues = new Map(o.config.pipelines.map((p) => [p.name, new PipelineQueue(bull, p.name, {
    prefix: s.prefix, lockMs: s.lockMs, stalledMs: Math.max(100, Math.floor(s.lockMs / 2)),
  })]));
  const batch = o.batch ? new SubmittedBatch() : null;
  const forward = forwarder(queues, 10 * o.config.queue.capacity, batch);
  let watch: ClusterWatch | null = null;
  const runtime = new EngineRuntime({ ...o, makeInputDirs: false }, {
    // A handed-off version is looked at again after two job lock lives or five scans, whichever is longer.
    store, engine: { locks, forward, handOffTtlMs: Math.max(2 * s.lockMs, 5 * s.scanIntervalMs) },
    release: async () => {
      await watch?.stop();
      await quit();
      lock.release();
      // A node named after its pid never comes back: its folder would only pile up.
      if (!s.named) await fs.rm(o.config.stateDir, { recursive: true, force: true }).catch(() => {});
    },
  });
  const heartbeat = new Heartbeat(coord, () => ({
    node: s.node, host: os.hostname(), pid: process.pid, version: sluiceVersion, startedAt, tag,
    hashes: Object.fromEntries(runtime.config.pipelines.map((p) => [p.name, p.hash])), inFlight: runtime.engine.inFlight,
  }), { prefix: s.prefix, everyMs: Math.max(50, Math.min(5000, Math.floor(s.lockMs / 3))) });
  watch = new ClusterWatch({
    settings: s, coord, leases, heartbeat, queues, events: o.events, pipelines: () => runtime.config.pipelines, tag,
    process: clusterJobs({ node: s.node, lockMs: s.lockMs, events: o.events, runtime: () => runtime, onAborted: () => watch?.stopTaking() }),
  });
  try {
    await watch.start();
  } catch (err) {
    await runtime.engine.drain(0);
    throw err;
  }
  return new ClusterRuntime(runtime, watch, queues, batch);
}

/**
 * The intake's queue port: submits each admitted job to its pipeline's queue, waiting while `bound` of its jobs wait
 * (QueueRoom), and keeps a one-shot run's job ids in `batch`.
 */
function forwarder(queues: ReadonlyMap<string, PipelineQueue>, bound: number, batch: SubmittedBatch | null) {
  const rooms = new Map([...queues].map(([name, q]) => [name, new QueueRoom(bound, async () => {
    const c = await q.counts();
    return c.waiting + c.delayed;
  })]));
  return async (job: Job, via: Via, signal: AbortSignal): Promise<void> => {
    const { pipeline: p, relPath, fingerprint } = job;
    await rooms.get(p.name)!.wait(signal);
    const id = await queues.get(p.name)!.submit({ pipeline: p.name, relPath, fingerprint, hash: p.hash, via });
    batch?.add({ id, pipeline: p.name, relPath });
  };
}
