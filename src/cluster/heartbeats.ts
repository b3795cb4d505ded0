import type { Redis } from 'ioredis';

/** What a live node publishes about itself (what `sluice status` lists in cluster mode). */
export interface NodeInfo {
  readonly node: string;
  readonly host: string;
  readonly pid: number;
  readonly version: string;
  readonly startedAt: number;
  /** Each pipeline's definition hash as this node has it: a node that differs takes no jobs for that pipeline. */
  readonly hashes: Readonly<Record<string, string>>;
  /** Jobs this node runs now. */
  readonly inFlight: number;
  /** What this incarnation's temp file names start with (see useTempTag): the janitor spares live ones. */
  readonly tag: string;
}

export interface HeartbeatOptions {
  readonly prefix?: string;
  /** How often the node says it is alive. @default 5000 */
  readonly everyMs?: number;
  /** How long it counts as alive after its last beat. @default 3 × everyMs */
  readonly ttlMs?: number;
}

/**
 * A node's heartbeat: every `everyMs` it writes `<prefix>:node:<name>` (its NodeInfo and the time of the beat) with a
 * `ttlMs` expiry, so a node that dies (kill -9, power cut, lost network) drops out of `liveNodes` by itself within
 * `ttlMs`: what decides when its temp files may be removed. start() once; stop() deletes the key (a clean exit).
 */
export class Heartbeat {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #every: number;
  readonly #ttl: number;
  readonly #info: () => NodeInfo;
  #timer: NodeJS.Timeout | null = null;

  constructor(redis: Redis, info: () => NodeInfo, options: HeartbeatOptions = {}) {
    this.#redis = redis;
    this.#info = info;
    this.#every = options.everyMs ?? 5000;
    this.#ttl = options.ttlMs ?? 3 * this.#every;
    this.#key = `${options.prefix ?? 'sluice'}:node:${info().node}`;
  }

  /** Beats once now (resolves when written), then every `everyMs`; a beat that fails is retried by the next. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer ??= setInterval(() => void this.#beat().catch(() => {}), this.#every);
    this.#timer.unref();
  }

  /** Stops beating and removes the key. Idempotent. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#redis.del(this.#key).catch(() => {});
  }

  async #beat(): Promise<void> {
    await this.#redis.set(this.#key, JSON.stringify({ ...this.#info(), beatAt: Date.now() }), 'PX', this.#ttl);
  }
}

/** Every node whose heartbeat has not expired, with the time of its last beat (SCAN of the node keys). */
export async function liveNodes(redis: Redis, prefix = 'sluice'): Promise<(NodeInfo & { beatAt: number })[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:node:*`, 'COUNT', 200);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as NodeInfo & { beatAt: number })
    .sort((a, b) => a.node.localeCompare(b.node));
}
