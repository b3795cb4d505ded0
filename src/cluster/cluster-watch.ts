import os from 'node:os';
import type { Job as QueueJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ClusterSettings, ResolvedPipeline } from '../config/resolved.js';
import { ExitCode, SluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import { liveNodes, type Heartbeat } from './heartbeats.js';
import type { InputVersion } from './job-ids.js';
import type { PipelineQueue } from './pipeline-queue.js';
import { redisLabel } from '../state/redis-connection.js';
import type { RedisLeases } from './redis-leases.js';
import { ScannerElection } from './scanner-election.js';
import { shareProblem } from './share-check.js';
import { sweepDeadTemps } from './temp-janitor.js';

export interface ClusterWatchOptions {
  readonly settings: ClusterSettings;
  /** The coordination client (heartbeats, leases, the definitions). */
  readonly coord: Redis;
  readonly leases: RedisLeases;
  readonly heartbeat: Heartbeat;
  readonly queues: ReadonlyMap<string, PipelineQueue>;
  readonly events: EventBus;
  readonly pipelines: () => readonly ResolvedPipeline[];
  /** Runs one job of the shared queue on this node. */
  readonly process: (version: InputVersion, job: QueueJob, token: string) => Promise<unknown>;
  /** This node's temp tag (never swept). */
  readonly tag: string;
}

/**
 * What keeps a cluster node a good member, every beat (a third of cluster.lockMs, at most 1 s): its heartbeat; the
 * scanner role per pipeline; per pipeline, whether it may take jobs — it sees the share (input and output folders) and
 * has the cluster's definition (the scanner's, published under `<prefix>:def:<pipeline>`) — pausing and resuming its
 * worker and saying so; the Redis link (lost, back); and, for the pipelines it scans, the janitor of temps that dead
 * nodes left. Lifecycle: start() once; stopTaking() closes the workers (active jobs end first); stop() ends the rest.
 */
export class ClusterWatch {
  readonly #o: ClusterWatchOptions;
  readonly #election: ScannerElection;
  /** Why each pipeline takes no jobs here (absent: it does). */
  readonly #blocked = new Map<string, string>();
  #linkDown: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #beating: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | null = null;
  #stopped = false;

  constructor(o: ClusterWatchOptions) {
    this.#o = o;
    const node = o.settings.node;
    const eligible = () => o.pipelines().filter((p) => !this.#blocked.has(p.name)).map((p) => p.name);
    this.#election = new ScannerElection(o.leases, node, eligible, (pipeline, held) => o.events.emit({
      type: 'cluster', level: 'info', code: held ? 'SCANNER_TAKEN' : 'SCANNER_LOST',
      message: held ? `this node (${node}) now scans pipeline ${pipeline}` : `this node (${node}) no longer scans pipeline ${pipeline}`,
    }));
    o.coord.on('close', () => this.#lost());
    o.coord.on('ready', () => this.#back());
  }

  async start(): Promise<void> {
    await refuseTakenName(this.#o.coord, this.#o.settings);
    await this.#o.heartbeat.start();
    const every = Math.max(50, Math.min(1000, Math.floor(this.#o.settings.lockMs / 3)));
    await this.#election.start(every);
    await this.#beat();
    for (const p of this.#o.pipelines()) {
      const worker = this.#o.queues.get(p.name)!.work(this.#o.settings.node, workerConcurrency(p), this.#o.process);
      if (this.#blocked.has(p.name)) await worker.pause(true);
    }
    this.#timer = setInterval(() => {
      this.#beating = this.#beating.then(() => this.#beat()).catch(() => {});
    }, every);
    this.#timer.unref();
  }

  /** True while this node holds the scanner role of `pipeline` and may take its jobs. */
  scans(pipeline: string): boolean {
    return this.#election.holds(pipeline) && !this.#blocked.has(pipeline);
  }

  /** Null while Redis answers and every pipeline takes jobs here; otherwise why not. */
  unhealthy(): string | null {
    if (this.#linkDown !== null) return this.#linkDown;
    const [first] = this.#blocked.values();
    return first ?? null;
  }

  /** Closes the workers: no more jobs; resolves when those active here have ended. Idempotent. */
  stopTaking(): Promise<void> {
    this.#stopping ??= Promise.all([...this.#o.queues.values()].map((q) => q.worker?.close())).then(() => {});
    return this.#stopping;
  }

  /** Stops the beats, gives up the scanner roles, removes the heartbeat and closes the queues. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#beating;
    await this.stopTaking();
    await this.#election.stop();
    await this.#o.heartbeat.stop();
    await Promise.all([...this.#o.queues.values()].map((q) => q.close()));
  }

  async #beat(): Promise<void> {
    for (const p of this.#o.pipelines()) {
      const problem = (await shareProblem(p)) ?? (await this.#definitionProblem(p));
      await this.#block(p.name, problem);
    }
    const scanned = this.#o.pipelines().filter((p) => this.scans(p.name));
    if (scanned.length > 0) await this.#sweep(scanned);
  }

  /** The scanner's definition is the cluster's: it publishes it; a node whose own differs takes no jobs of it. */
  async #definitionProblem(p: ResolvedPipeline): Promise<string | null> {
    const key = `${this.#o.settings.prefix}:def:${p.name}`;
    if (this.#election.holds(p.name)) {
      await this.#o.coord.set(key, p.hash);
      return null;
    }
    const cluster = await this.#o.coord.get(key);
    if (cluster === null || cluster === p.hash) return null;
    return `pipeline ${p.name} is defined differently here than on the node that scans it (hash ${p.hash.slice(0, 12)} here, ` +
      `${cluster.slice(0, 12)} there; stages, their options and the output settings, output.dir as mounted included): this node ` +
      'takes none of its jobs until the configs agree and every node mounts the share at the same path';
  }

  async #block(pipeline: string, problem: string | null): Promise<void> {
    const was = this.#blocked.get(pipeline) ?? null;
    if (was === problem) return;
    const worker = this.#o.queues.get(pipeline)?.worker;
    if (problem === null) {
      this.#blocked.delete(pipeline);
      if (this.#stopping === null) worker?.resume();
      this.#o.events.emit({ type: 'cluster', level: 'info', code: 'TAKING_JOBS', message: `taking jobs of pipeline ${pipeline} again` });
      return;
    }
    this.#blocked.set(pipeline, problem);
    await worker?.pause(true);
    this.#o.events.emit({ type: 'cluster', level: 'warn', code: 'NOT_TAKING_JOBS', message: `${problem}; this node stopped taking its jobs` });
  }

  /** Removes temps of nodes whose heartbeat expired, from the output folders of the pipelines this node scans. */
  async #sweep(pipelines: readonly ResolvedPipeline[]): Promise<void> {
    const live = new Set((await liveNodes(this.#o.coord, this.#o.settings.prefix)).map((n) => n.tag));
    live.add(this.#o.tag);
    const removed = await sweepDeadTemps(pipelines.map((p) => p.output.dir), live, 2 * this.#o.settings.lockMs);
    if (removed > 0) {
      this.#o.events.emit({ type: 'cluster', level: 'info', code: 'TEMPS_REMOVED', message: `removed ${removed} temp file(s) that stopped nodes left` });
    }
  }

  #lost(): void {
    // Closing its own connections at a stop is no lost link.
    if (this.#linkDown !== null || this.#stopped) return;
    this.#linkDown = `lost the connection to Redis at ${redisLabel(this.#o.settings.redis)}; reconnecting (the intake waits)`;
    this.#o.events.emit({ type: 'cluster', level: 'warn', code: 'REDIS_LOST', message: this.#linkDown });
  }

  #back(): void {
    if (this.#linkDown === null) return;
    this.#linkDown = null;
    this.#o.events.emit({ type: 'cluster', level: 'info', code: 'REDIS_BACK', message: `reconnected to Redis at ${redisLabel(this.#o.settings.redis)}` });
  }
}

/** Jobs a node runs at once for a pipeline: enough to keep every stage busy while others commit. */
function workerConcurrency(p: ResolvedPipeline): number {
  return Math.max(8, 3 * p.stages.reduce((n, s) => n + s.concurrency, 0));
}

/**
 * Refuses (exit 2) a node name a live node on another host uses: two nodes under one name would share a heartbeat,
 * and the janitor could take the other's temp files for a dead node's. The same host's earlier incarnation (a restart
 * after a crash, its heartbeat not yet expired) is no conflict: the instance lock already keeps two apart there.
 */
async function refuseTakenName(redis: Redis, s: ClusterSettings): Promise<void> {
  const beat = await redis.get(`${s.prefix}:node:${s.node}`);
  if (beat === null) return;
  const other = JSON.parse(beat) as { host?: string; pid?: number };
  if (other.host === os.hostname()) return;
  throw new SluiceError('NODE_NAME_IN_USE',
    `the cluster node name ${s.node} is in use by a live node on host ${other.host} (pid ${other.pid}); give each node ` +
    'its own cluster.node, or leave it null (the host name and pid)', { exitCode: ExitCode.usage, context: { node: s.node } });
}
