import type { ResolvedConfig } from '../config/resolved.js';
import { PipelineQueue } from '../cluster/pipeline-queue.js';
import { redisClient } from '../state/redis-connection.js';
import type { Fingerprint } from '../state/store.js';

/** Enqueues inputs on the cluster queue from an operator command (retry): one connection, one queue per pipeline. */
export class Submitter {
  readonly #config: ResolvedConfig;
  readonly #redis;
  readonly #queues = new Map<string, PipelineQueue>();

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#redis = redisClient(config.cluster!.redis);
  }

  /** Adds the job of this version of an input (idempotent: one job per version). */
  async input(pipeline: string, relPath: string, fingerprint: Fingerprint): Promise<void> {
    const p = this.#config.pipelines.find((x) => x.name === pipeline);
    if (!p) return;
    let queue = this.#queues.get(pipeline);
    if (!queue) this.#queues.set(pipeline, (queue = new PipelineQueue(this.#redis, pipeline, { prefix: this.#config.cluster!.prefix })));
    await queue.submit({ pipeline, relPath, fingerprint, hash: p.hash, via: 'scan' });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
