import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIdOf, pathDedupId, type InputVersion } from './job-ids.js';

export interface PipelineQueueOptions {
  /** BullMQ key prefix. @default 'sluice' */
  readonly prefix?: string;
  /** How long a silent node keeps a job before another takes it (BullMQ lockDuration). @default 30_000 */
  readonly lockMs?: number;
  /** How often stalled jobs are looked for (BullMQ stalledInterval). @default lockMs / 2 */
  readonly stalledMs?: number;
  /** Completed job ids are kept this long, blocking re-adds of their version. @default 3600 s */
  readonly keepCompletedS?: number;
}

/** Adds are sent in chunks of this many (one atomic addBulk each). */
const addChunk = 1000;

/**
 * One pipeline's cluster queue on BullMQ: a job is one input version through the whole pipeline. Enqueueing is
 * idempotent: a version's job id (jobIdOf) makes a second add of the same version a no-op while the job is kept, and a
 * per-path deduplication id with `keepLastIfActive` keeps at most one job of a path active and runs the newest version
 * added meanwhile after it. Lifecycle: work() at most once; close() is idempotent.
 */
export class PipelineQueue {
  readonly name: string;
  readonly #queue: Queue;
  readonly #connection: Redis;
  readonly #o: Required<PipelineQueueOptions>;
  #worker: Worker | null = null;
  #closing: Promise<void> | null = null;

  /** `connection` must have `maxRetriesPerRequest: null` (BullMQ requires it for workers). */
  constructor(connection: Redis, pipeline: string, options: PipelineQueueOptions = {}) {
    const lockMs = options.lockMs ?? 30_000;
    this.#o = {
      prefix: options.prefix ?? 'sluice', lockMs, stalledMs: options.stalledMs ?? Math.max(100, Math.floor(lockMs / 2)),
      keepCompletedS: options.keepCompletedS ?? 3600,
    };
    this.name = `p-${pipeline}`;
    this.#connection = connection;
    this.#queue = new Queue(this.name, { connection, prefix: this.#o.prefix });
    this.#queue.on('error', () => {});
  }

  /** Adds every version not already queued; resolves with the ids of the jobs (new or found). */
  async enqueue(versions: readonly InputVersion[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < versions.length; i += addChunk) {
      const jobs = await this.#queue.addBulk(versions.slice(i, i + addChunk).map((v) => this.#job(v)));
      ids.push(...jobs.map((j) => j.id ?? ''));
    }
    return ids;
  }

  /**
   * Adds one version for a scan that found it not up to date (the state store says so): a job of that version that
   * ended already (kept for a while, it would swallow the add) is removed first, so a version whose job ended without
   * a result (vanished, changed, aborted on a node that stopped) runs again. A waiting or active one is left be (no
   * add at all: the cheap path for the same file seen by several nodes).
   * Resolves with the version's job id.
   */
  async submit(version: InputVersion): Promise<string> {
    const id = jobIdOf(version);
    const state = await this.#queue.getJobState(id);
    // Queued or running already (another node's scan or watch event was first): the add would change nothing.
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return id;
    if (state !== 'unknown') await this.#queue.remove(id).catch(() => 0);
    await this.#queue.add('input', version, this.#job(version).opts);
    return id;
  }

  #job(v: InputVersion) {
    return {
      name: 'input',
      data: v,
      opts: {
        jobId: jobIdOf(v),
        deduplication: { id: pathDedupId(v.pipeline, v.relPath), keepLastIfActive: true },
        removeOnComplete: { age: this.#o.keepCompletedS, count: 10_000 },
        removeOnFail: { count: 100_000 },
      },
    };
  }

  /** How the job `id` stands: its state, and its return value once completed or its reason once failed. */
  async lookup(id: string): Promise<{ state: string; result?: unknown; failedReason?: string; processedBy?: string }> {
    // The state first: a job read before it finished would lack the return value of the state read after.
    const state = await this.#queue.getJobState(id);
    if (state !== 'completed' && state !== 'failed') return { state };
    const job = await this.#queue.getJob(id);
    if (!job) return { state: 'unknown' };
    return { state, result: job.returnvalue as unknown, failedReason: job.failedReason, processedBy: job.processedBy };
  }

  /** True while a job of `relPath` is active or waits to run after the active one (the path's deduplication). */
  async pathBusy(pipeline: string, relPath: string): Promise<boolean> {
    return (await this.#queue.getDeduplicationJobId(pathDedupId(pipeline, relPath))) != null;
  }

  /** Starts taking jobs: `process` runs one version (its rejection fails the job). `node` names this node on each job. */
  work(node: string, concurrency: number, process: (version: InputVersion, job: Job, token: string) => Promise<unknown>): Worker {
    if (this.#worker) throw new Error(`PipelineQueue ${this.name}: work() was called already`);
    this.#worker = new Worker(this.name, (job: Job, token?: string) => process(job.data as InputVersion, job, token ?? ''), {
      connection: this.#connection, prefix: this.#o.prefix, concurrency, name: node,
      lockDuration: this.#o.lockMs, stalledInterval: this.#o.stalledMs, maxStalledCount: 1,
    });
    this.#worker.on('error', () => {});
    return this.#worker;
  }

  /** Job counts of the queue (cluster-wide). */
  async counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number; completed: number }> {
    const c = await this.#queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    return { waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0), active: c['active'] ?? 0, delayed: c['delayed'] ?? 0, failed: c['failed'] ?? 0, completed: c['completed'] ?? 0 };
  }

  /** The job of a version, if it is kept. */
  job(version: InputVersion): Promise<Job | undefined> {
    return this.#queue.getJob(jobIdOf(version));
  }

  /** The worker work() started, if any. */
  get worker(): Worker | null {
    return this.#worker;
  }

  /** Stops taking jobs, waits for the active ones of this node, closes the queue. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#worker?.close();
      await this.#queue.close();
    })();
    return this.#closing;
  }
}
