import type { EngineEvent } from './events.js';

/** A file the engine holds, as the intake sees it. */
export interface HeldFile {
  readonly pipeline: string;
  readonly relPath: string;
  readonly state: 'settling' | 'queued' | 'running';
  /** When it entered that state (ms since epoch). */
  readonly since: number;
}

/** What the stats read from the engine when asked; the composition root implements it. */
export interface EngineProbe {
  state(): 'idle' | 'running' | 'draining' | 'closed';
  queues(): readonly { readonly pipeline: string; readonly depth: number; readonly capacity: number }[];
  /** Every file settling, queued or running (O(n), n bounded by the intake). */
  files(): Iterable<HeldFile>;
}

export interface InFlightJob {
  readonly pipeline: string;
  readonly path: string;
  /** The stage running (its `use`), `commit`, or `retry-wait` during a backoff. */
  readonly stage: string;
  /** 0-based: which of the pipeline's stages; the stage count during commit. */
  readonly stageIndex: number;
  /** Waiting for a worker of that stage (its concurrency is used up). */
  readonly waiting: boolean;
  readonly attempt: number;
  readonly ageMs: number;
}

export interface PipelineStatus {
  readonly name: string;
  /** Since the daemon started. */
  readonly processed: number;
  readonly unchanged: number;
  /** Failed in this daemon (after their attempts). */
  readonly failed: number;
  /** Seen again, still failed from before and unchanged (not retried). */
  readonly failedBefore: number;
  /** Settling or queued now. */
  readonly pending: number;
  readonly inFlight: number;
  readonly queue: { readonly depth: number; readonly capacity: number };
}

/** The live part of `sluice status --json` (the daemon adds pid, metrics address…). */
export interface LiveStatus {
  readonly state: string;
  readonly startedAt: string;
  /** Seconds, like process.uptime(). */
  readonly uptime: number;
  readonly uptimeMs: number;
  readonly queue: { readonly depth: number; readonly capacity: number };
  readonly pending: number;
  readonly oldestPendingAgeMs: number | null;
  readonly inFlight: readonly InFlightJob[];
  readonly pipelines: readonly PipelineStatus[];
}

interface Counts { processed: number; unchanged: number; failed: number; failedBefore: number }
interface Job {
  readonly pipeline: string; readonly path: string; stage: string; stageIndex: number; waiting: boolean; attempt: number;
  readonly startedAt: number;
}

/** Most in-flight jobs tracked; the engine's worker slots keep the real number far below. */
const maxJobs = 10_000;

/**
 * Live daemon statistics: outcome counts and the stage of each job in flight from engine events, queue and pending
 * figures from the engine itself (through the probe) when asked. Bounded: counts per configured pipeline, one entry
 * per job in flight.
 */
export class LiveStats {
  readonly #probe: EngineProbe;
  #stages: ReadonlyMap<string, readonly string[]> = new Map();
  readonly #counts = new Map<string, Counts>();
  readonly #jobs = new Map<string, Job>();
  readonly #started = Date.now();

  constructor(pipelines: readonly { readonly name: string; readonly stages: readonly { readonly use: string }[] }[], probe: EngineProbe) {
    this.#probe = probe;
    this.reconfigure(pipelines);
  }

  /** Follows a reloaded config: counts of kept pipelines go on, new ones start at zero, removed ones are dropped. */
  reconfigure(pipelines: readonly { readonly name: string; readonly stages: readonly { readonly use: string }[] }[]): void {
    this.#stages = new Map(pipelines.map((p) => [p.name, p.stages.map((s) => s.use)]));
    for (const name of this.#counts.keys()) if (!this.#stages.has(name)) this.#counts.delete(name);
    for (const p of pipelines) if (!this.#counts.has(p.name)) this.#counts.set(p.name, { processed: 0, unchanged: 0, failed: 0, failedBefore: 0 });
  }

  readonly listener = (e: EngineEvent): void => {
    if (!('pipeline' in e) || !('path' in e)) return;
    const counts = this.#counts.get(e.pipeline);
    if (!counts) return;
    const key = `${e.pipeline}\0${e.path}`;
    switch (e.type) {
      case 'started': return this.#onStarted(key, e.pipeline, e.path, e.attempt);
      case 'stage-start': {
        const job = this.#jobs.get(key);
        if (job) job.waiting = false;
        return;
      }
      case 'stage': return this.#stageDone(key, e.pipeline);
      case 'retry': {
        const job = this.#jobs.get(key);
        if (job) Object.assign(job, { stage: 'retry-wait', waiting: false });
        return;
      }
      case 'processed': counts.processed += 1; break;
      case 'unchanged': counts.unchanged += 1; break;
      case 'failed': if (e.previously) counts.failedBefore += 1; else counts.failed += 1; break;
      case 'changed': case 'skipped': case 'aborted': break;
      default: return;
    }
    this.#jobs.delete(key);
  };

  #onStarted(key: string, pipeline: string, path: string, attempt: number): void {
    const first = this.#stages.get(pipeline)?.[0] ?? 'commit';
    const job = this.#jobs.get(key);
    if (job) return void Object.assign(job, { stage: first, stageIndex: 0, waiting: true, attempt });
    if (this.#jobs.size >= maxJobs) this.#jobs.delete(this.#jobs.keys().next().value!);
    this.#jobs.set(key, { pipeline, path, stage: first, stageIndex: 0, waiting: true, attempt, startedAt: Date.now() });
  }

  #stageDone(key: string, pipeline: string): void {
    const job = this.#jobs.get(key);
    if (!job) return;
    job.stageIndex += 1;
    const next = this.#stages.get(pipeline)?.[job.stageIndex];
    job.stage = next ?? 'commit';
    job.waiting = next !== undefined;
  }

  /** The stage a job in flight is at, or undefined. */
  job(pipeline: string, path: string): InFlightJob | undefined {
    const job = this.#jobs.get(`${pipeline}\0${path}`);
    return job && inFlight(job, Date.now());
  }

  snapshot(): LiveStatus {
    const now = Date.now();
    const pending = new Map<string, number>();
    let oldest: number | null = null;
    for (const f of this.#probe.files()) {
      if (f.state === 'running') continue;
      pending.set(f.pipeline, (pending.get(f.pipeline) ?? 0) + 1);
      if (oldest === null || f.since < oldest) oldest = f.since;
    }
    const jobs = [...this.#jobs.values()].map((j) => inFlight(j, now));
    const queues = new Map(this.#probe.queues().map((q) => [q.pipeline, q]));
    const pipelines = [...this.#counts].map(([name, c]): PipelineStatus => ({
      name, ...c, pending: pending.get(name) ?? 0, inFlight: jobs.filter((j) => j.pipeline === name).length,
      queue: { depth: queues.get(name)?.depth ?? 0, capacity: queues.get(name)?.capacity ?? 0 },
    }));
    return {
      state: this.#probe.state(),
      startedAt: new Date(this.#started).toISOString(),
      uptime: (now - this.#started) / 1000,
      uptimeMs: now - this.#started,
      queue: {
        depth: pipelines.reduce((n, p) => n + p.queue.depth, 0),
        capacity: pipelines.reduce((n, p) => n + p.queue.capacity, 0),
      },
      pending: pipelines.reduce((n, p) => n + p.pending, 0),
      oldestPendingAgeMs: oldest === null ? null : Math.max(0, now - oldest),
      inFlight: jobs,
      pipelines,
    };
  }
}

function inFlight(job: Job, now: number): InFlightJob {
  const { pipeline, path, stage, stageIndex, waiting, attempt } = job;
  return { pipeline, path, stage, stageIndex, waiting, attempt, ageMs: Math.max(0, now - job.startedAt) };
}
