import type { RedisLeases } from './redis-leases.js';

/** The lease path of a pipeline's scanner role (a name, not a file: it never collides with an output path). */
export function scannerKey(pipeline: string): string {
  return `\0scanner\0${pipeline}`;
}

/**
 * Who lists each pipeline's input folder: one node per pipeline, the holder of a lease (`node` as its token) that it
 * renews every `everyMs` and that passes to another node once it has been silent for `ttlMs` (the leases' ttl). An
 * efficiency role, not a correctness one: two nodes that both believe they scan only enqueue the same idempotent
 * jobs. `pipelines` names those this node may scan now (read at every renewal); `changed` hears each gain and loss.
 * start() once; stop() gives the roles up.
 */
export class ScannerElection {
  readonly #leases: RedisLeases;
  readonly #node: string;
  readonly #pipelines: () => readonly string[];
  readonly #held = new Set<string>();
  readonly #changed: (pipeline: string, held: boolean) => void;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(leases: RedisLeases, node: string, pipelines: () => readonly string[], changed: (pipeline: string, held: boolean) => void) {
    this.#leases = leases;
    this.#node = node;
    this.#pipelines = pipelines;
    this.#changed = changed;
  }

  /** True while this node holds the scanner role of `pipeline` (as of its last renewal). */
  holds(pipeline: string): boolean {
    return this.#held.has(pipeline);
  }

  /** Tries for every role now, then every `everyMs`. */
  async start(everyMs: number): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => void this.#beat(), everyMs);
    this.#timer.unref();
  }

  async #beat(): Promise<void> {
    const wanted = this.#pipelines();
    // A role this node may no longer fill (it lost the share, say) is given up for another node to take.
    for (const p of [...this.#held].filter((h) => !wanted.includes(h))) {
      this.#held.delete(p);
      await this.#leases.releaseToken([scannerKey(p)], this.#node).catch(() => {});
      this.#changed(p, false);
    }
    for (const p of wanted) {
      if (this.#stopped) return;
      const got = await this.#leases.tryAcquire([scannerKey(p)], this.#node).then((f) => f !== null, () => false);
      if (got === this.#held.has(p)) continue;
      if (got) this.#held.add(p);
      else this.#held.delete(p);
      this.#changed(p, got);
    }
  }

  /** Stops renewing and releases the roles held (another node takes them at its next try). Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    const held = [...this.#held];
    this.#held.clear();
    await Promise.all(held.map((p) => this.#leases.releaseToken([scannerKey(p)], this.#node).catch(() => {})));
  }
}
