import type { ResolvedConfig, ResolvedPipeline } from '../config/resolved.js';
import type { ClusterWatch } from '../cluster/cluster-watch.js';
import type { PipelineQueue } from '../cluster/pipeline-queue.js';
import type { SubmittedBatch } from '../cluster/submitted-batch.js';
import { ExitCode, SluiceError } from '../errors.js';
import type { ClusterGauges } from '../observability/metrics.js';
import type { FileReport } from '../ops/report.js';
import type { EngineRuntime, Runtime } from './runtime.js';

/** A cluster node's runtime: the engine runtime, with what the cluster watch says about scanning and health. */
export class ClusterRuntime implements Runtime {
  readonly #inner: EngineRuntime;
  readonly #watch: ClusterWatch;
  readonly #queues: ReadonlyMap<string, PipelineQueue>;
  readonly #batch: SubmittedBatch | null;

  constructor(inner: EngineRuntime, watch: ClusterWatch, queues: ReadonlyMap<string, PipelineQueue>, batch: SubmittedBatch | null) {
    this.#inner = inner;
    this.#watch = watch;
    this.#queues = queues;
    this.#batch = batch;
  }

  get config(): ResolvedConfig {
    return this.#inner.config;
  }

  get store() {
    return this.#inner.store;
  }

  get engine() {
    return this.#inner.engine;
  }

  get cluster(): ClusterGauges {
    const queues = this.#queues;
    return {
      node: this.config.cluster!.node,
      queueCounts: () => Promise.all([...queues].map(async ([pipeline, q]) => ({ pipeline, ...(await q.counts()) }))),
    };
  }

  get rescanIntervalMs(): number {
    return this.config.cluster!.scanIntervalMs;
  }

  scanned(): readonly ResolvedPipeline[] {
    return this.config.pipelines.filter((p) => this.#watch.scans(p.name));
  }

  unhealthy(): string | null {
    return this.#watch.unhealthy();
  }

  /** Refuses a config whose pipelines or cluster block differ: their queues, leases and roles are made at start. */
  async replaceEngine(config: ResolvedConfig): Promise<{ retired: Promise<void> }> {
    const names = (c: ResolvedConfig) => c.pipelines.map((p) => p.name).join('\0');
    if (names(config) !== names(this.config) || JSON.stringify(config.cluster) !== JSON.stringify(this.config.cluster)) {
      throw new SluiceError('RELOAD_NEEDS_RESTART',
        'in cluster mode a reload may change pipelines but not add, remove or rename them, nor change the cluster block; restart the node',
        { exitCode: ExitCode.usage });
    }
    return this.#inner.replaceEngine(config);
  }

  abort(): void {
    this.#inner.abort();
  }

  /** Resolves at once with nothing unless opened with `batch`. */
  async awaitSubmitted(signal: AbortSignal): Promise<FileReport[]> {
    if (this.#batch === null) return [];
    const queues = this.#queues;
    // Files looked at again: each is in the intake only once its offer got a slot, so idle waits for the offers too.
    const offers = new Set<Promise<void>>();
    return this.#batch.wait({
      signal,
      idle: async () => {
        while (offers.size > 0) await Promise.all([...offers]);
        await this.engine.intake.whenIdle();
      },
      queues: {
        lookup: (pipeline, id) => queues.get(pipeline)!.lookup(id),
        pathBusy: (pipeline, relPath) => queues.get(pipeline)!.pathBusy(pipeline, relPath),
      },
      again: (job) => {
        const p = this.config.pipelines.find((x) => x.name === job.pipeline);
        if (!p) return;
        const offer: Promise<void> = this.engine.intake.offer(p, job.relPath, 'redo', signal).catch(() => {})
          .finally(() => offers.delete(offer));
        offers.add(offer);
      },
    });
  }

  async close(graceMs: number): Promise<void> {
    // Workers stop fetching first; their active jobs end with the engine's drain (finished, or back to the queue).
    const stopped = this.#watch.stopTaking();
    await this.engine.drain(graceMs);
    await stopped;
    await this.#inner.close(graceMs);
  }
}
