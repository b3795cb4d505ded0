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
      const jobs = await this.#queue.addBulk(versions.slice(i, i + addChunk).map((v) => ({
        name: 'input',
        data: v,
        opts: {
          jobId: jobIdOf(v),
          deduplication: { id: pathDedupId(v.pipeline, v.relPath), keepLastIfActive: true },
          removeOnComplete: { age: this.#o.keepCompletedS, count: 10_000 },
          removeOnFail: { count: 100_000 },
        },
      })));
      ids.push(...jobs.map((j) => j.id ?? ''));
    }
    return ids;
  }

  /** Starts taking jobs: `process` runs one version (its rejection fails the job). `node` names this node on each job. */
  work(node: string, concurrency: number, process: (version: InputVersion, job: Job) => Promise<unknown>): Worker {
    if (this.#worker) throw new Error(`PipelineQueue ${this.name}: work() was called already`);
    this.#worker = new Worker(this.name, (job: Job) => process(job.data as InputVersion, job), {
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

  /** Stops taking jobs, waits for the active ones of this node, closes the queue. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#worker?.close();
      await this.#queue.close();
    })();
    return this.#closing;
  }
}
