import { sleep } from '../core/abort.js';
import type { FileReport } from '../pipeline/file-report.js';

/** One job a run handed to the shared queue. */
export interface Submitted {
  readonly id: string;
  readonly pipeline: string;
  readonly relPath: string;
}

/** How a submitted job stands, as the queue tells (see PipelineQueue.lookup), and whether its path is still busy. */
export interface BatchQueues {
  lookup(pipeline: string, id: string): Promise<{ state: string; result?: unknown; failedReason?: string; processedBy?: string }>;
  pathBusy(pipeline: string, relPath: string): Promise<boolean>;
}

/** Most jobs looked up per round; the rest wait for the next (the oldest are looked at first). */
const perRound = 200;

/**
 * The jobs a one-shot run submitted, and the wait until each has ended on whichever node (`sluice run` in cluster
 * mode). A job ends completed (its result names the node and its report line), failed (the queue gave up on it:
 * stalled past its limit), or gone without a result; `again` is told of jobs that ended without settling the file
 * (it changed meanwhile, or the job was dropped), so the run looks at the file once more. Bounded by the run's files.
 */
export class SubmittedBatch {
  #pending: Submitted[] = [];
  readonly #reports: FileReport[] = [];

  add(job: Submitted): void {
    this.#pending.push(job);
  }

  get size(): number {
    return this.#pending.length;
  }

  /**
   * Looks up the pending jobs until none is left and `idle()` says nothing more is being submitted; resolves with the
   * report lines of the jobs that ended. Polls every `pollMs` while nothing ends; stops early when `signal` aborts.
   */
  async wait(o: {
    queues: BatchQueues; idle: () => Promise<void>; again: (job: Submitted) => void; signal: AbortSignal; pollMs?: number;
  }): Promise<FileReport[]> {
    for (;;) {
      await o.idle();
      if (this.#pending.length === 0 || o.signal.aborted) return this.#reports;
      const round = this.#pending.slice(0, perRound);
      const ended = new Set<Submitted>();
      await Promise.all(round.map(async (job) => {
        const report = await this.#look(job, o.queues, o.again);
        if (report !== undefined) ended.add(job);
        if (report) this.#reports.push(report);
      }));
      this.#pending = this.#pending.filter((j) => !ended.has(j));
      if (ended.size === 0) await sleep(o.pollMs ?? 100, { signal: o.signal }).catch(() => {});
    }
  }

  /** undefined: not ended yet; null: ended without a line (looked at again, or nothing to say); else its line. */
  async #look(job: Submitted, queues: BatchQueues, again: (job: Submitted) => void): Promise<FileReport | null | undefined> {
    const found = await queues.lookup(job.pipeline, job.id);
    if (found.state === 'completed') {
      const result = found.result as { report?: FileReport | null; type?: string } | null | undefined;
      // No result: the job was removed and added again (a scan) between the state and the read; it runs again.
      if (result?.type === undefined) return undefined;
      if (result.report) return result.report;
      if (result.type === 'skipped') return definitionDiffers(job, found.processedBy);
      if (result.type === 'changed') again(job);
      return null;
    }
    if (found.state === 'failed') {
      if (found.failedReason === undefined) return undefined; // Removed and added again, as above.
      return {
        pipeline: job.pipeline, path: job.relPath, outcome: 'failed', outputs: [],
        error: { code: 'JOB_FAILED', message: found.failedReason ?? 'the cluster queue gave up on this job' },
        ...(found.processedBy ? { node: found.processedBy } : {}),
      };
    }
    if (found.state !== 'unknown') return undefined;
    // Not a job (yet): it may wait behind the path's active job (deduplication keeps it until then).
    if (await queues.pathBusy(job.pipeline, job.relPath)) return undefined;
    again(job);
    return null;
  }
}

/** The line of a job that a node with another definition of its pipeline took (and left): submitting it again would loop. */
function definitionDiffers(job: Submitted, node: string | undefined): FileReport {
  return {
    pipeline: job.pipeline, path: job.relPath, outcome: 'failed', outputs: [], ...(node ? { node } : {}),
    error: {
      code: 'DEFINITION_DIFFERS',
      message: `the cluster runs pipeline ${job.pipeline} with another definition than this run's config; run with the cluster's config`,
    },
  };
}
