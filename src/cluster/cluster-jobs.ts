import { DelayedError, type Job as QueueJob } from 'bullmq';
import type { InputVersion } from './job-ids.js';
import { SluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import { admitSettled } from '../pipeline/admit.js';
import type { Job, JobOutcome } from '../pipeline/job.js';
import type { Engine } from '../pipeline/engine.js';
import type { FileReport } from '../pipeline/file-report.js';
import type { ResolvedConfig } from '../config/resolved.js';
import type { FileRecord, StateStore } from '../state/store.js';

/** What a job needs of the node's runtime, read per job (a reload replaces the engine and config). */
export interface JobHost {
  readonly config: ResolvedConfig;
  readonly store: StateStore;
  readonly engine: Engine;
}

/** What a cluster job ends with (its BullMQ return value): how it ended, on which node, and its line of a run report. */
export interface ClusterResult {
  readonly node: string;
  readonly type: JobOutcome['type'] | 'unchanged' | 'skipped';
  readonly report: FileReport | null;
}

export interface ClusterJobsOptions {
  readonly node: string;
  readonly lockMs: number;
  readonly events: EventBus;
  readonly runtime: () => JobHost;
  /** Told when a job was aborted here (this node stops): the caller stops taking more. */
  readonly onAborted: () => void;
}

/**
 * Runs one job of the shared queue on this node, as the one-node engine would: the version the scanner settled must
 * still be the file's (a change is settled again here and submitted anew), the state store decides (another node may
 * have done it), then the engine's stages and commit. Before each rename, append or record the commit confirms that
 * the queue still gives this node the job (job.confirm). A job aborted here goes back to the queue for another node.
 */
export function clusterJobs(o: ClusterJobsOptions): (version: InputVersion, job: QueueJob, token: string) => Promise<ClusterResult> {
  return async (version, queued, token) => {
    const runtime = o.runtime();
    const p = runtime.config.pipelines.find((x) => x.name === version.pipeline);
    if (!p || p.hash !== version.hash) return { node: o.node, type: 'skipped', report: null };
    const file = { pipeline: p, relPath: version.relPath, via: version.via ?? 'scan' } as const;
    const admitted = await admitSettled(file, version.fingerprint, { store: runtime.store, events: o.events });
    if (admitted === 'changed') {
      runtime.engine.intake.hint(p, version.relPath);
      return { node: o.node, type: 'changed', report: null };
    }
    if (admitted === null) {
      return { node: o.node, type: 'unchanged', report: reportOf(await runtime.store.get(p.name, version.relPath), o.node) };
    }
    const job: Job = { ...admitted, confirm: () => confirmOwned(queued, token, o.lockMs) };
    const outcome = await runtime.engine.run(job);
    if (outcome.type === 'aborted') {
      // Taken over by another node (this one was silent too long): theirs now; BullMQ drops this node's ending.
      if (!(await owned(queued, token, o.lockMs))) return { node: o.node, type: 'aborted', report: null };
      // This node stops: the job goes back to the queue for another.
      o.onAborted();
      await queued.moveToDelayed(Date.now(), token).catch(() => {});
      throw new DelayedError();
    }
    if (outcome.type === 'changed') runtime.engine.intake.hint(p, version.relPath);
    return { node: o.node, type: outcome.type, report: outcomeReport(job, outcome, o.node) };
  };
}

/** True while the queue's lock on the job is this node's (extending it by `lockMs`). */
async function owned(job: QueueJob, token: string, lockMs: number): Promise<boolean> {
  return (await job.extendLock(token, lockMs).catch(() => 0)) === 1;
}

/** The queue's lock on the job is still this node's: extended by `lockMs`, or JOB_LOST. */
async function confirmOwned(job: QueueJob, token: string, lockMs: number): Promise<void> {
  if (await owned(job, token, lockMs)) return;
  throw new SluiceError('JOB_LOST', `another node has taken over the job of ${job.data?.relPath ?? job.id} (this one was silent past cluster.lockMs)`,
    { kind: 'transient' });
}

function outcomeReport(job: Job, outcome: JobOutcome, node: string): ClusterResult['report'] {
  const base = { pipeline: job.pipeline.name, path: job.relPath, node };
  if (outcome.type === 'processed') {
    return { ...base, outcome: 'processed', outputs: outcome.outputs, ...(outcome.skipped ? { skipped: outcome.skipped } : {}) };
  }
  if (outcome.type === 'failed') return { ...base, outcome: 'failed', outputs: [], error: { code: outcome.code, message: outcome.message } };
  return null;
}

/** A report line from what the store holds: a version that was done, or failed, already. */
export function reportOf(record: FileRecord | undefined, node: string): ClusterResult['report'] {
  if (!record) return null;
  const base = { pipeline: record.pipeline, path: record.relPath, node };
  if (record.status === 'done') return { ...base, outcome: 'unchanged', outputs: record.outputs };
  return { ...base, outcome: 'failed', outputs: [], error: { code: record.error?.code ?? 'FAILED', message: record.error?.message ?? 'failed' } };
}
