/**
 * A cluster on one machine for tests: a real redis-server (helpers/redis.ts) and real `sluice` processes on one shared
 * `in/` and `out/` in a Sandbox, each node with its own config (its name, its stateDir) and short timings.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { Sandbox, waitFor, type SluiceProcess, type StartOptions, type WaitOptions } from './process.js';
import { clientOf, startRedis, type RedisServer } from './redis.js';

/** Short timings: a silent node loses its jobs and leases after 1.5 s; scanners list every 200 ms. */
export const lockMs = 1500;
export const scanIntervalMs = 200;

export interface ClusterOptions {
  /** The pipeline (defaults: gzip from in/ to out/, settleMs 100, input kept). */
  readonly pipeline?: Record<string, unknown>;
  /** More cluster keys (lockMs, scanIntervalMs). */
  readonly cluster?: Record<string, unknown>;
}

export class ClusterBox {
  readonly box: Sandbox;
  redis: RedisServer;
  readonly #o: ClusterOptions;
  readonly nodes = new Map<string, SluiceProcess>();

  /** Every cluster created and not yet disposed of (disposeAll, in an afterEach, ends them). */
  static readonly #open = new Set<ClusterBox>();

  /** Disposes of every cluster still open: `afterEach(ClusterBox.disposeAll)`. */
  static async disposeAll(): Promise<void> {
    const open = [...ClusterBox.#open];
    ClusterBox.#open.clear();
    await Promise.all(open.map((c) => c.dispose()));
  }

  private constructor(box: Sandbox, redis: RedisServer, o: ClusterOptions) {
    this.box = box;
    this.redis = redis;
    this.#o = o;
  }

  static async create(o: ClusterOptions = {}): Promise<ClusterBox> {
    const box = Sandbox.create();
    fs.mkdirSync(box.path('in'));
    fs.mkdirSync(box.path('out'));
    fs.mkdirSync(box.path('redis'));
    const cluster = new ClusterBox(box, await startRedis(box.path('redis')), o);
    ClusterBox.#open.add(cluster);
    return cluster;
  }

  /** The pipeline of every node, with `over` merged in. */
  pipeline(over: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: 'gz', input: { dir: './in', settleMs: 100 }, output: { dir: './out', path: '{relDir}/{name}.gz' },
      stages: [{ use: 'gzip' }], ...this.#o.pipeline, ...over,
    };
  }

  /** Writes node `name`'s config (cluster mode, JSON logs) and returns its file name. */
  configFor(name: string, over: { pipeline?: Record<string, unknown>; cluster?: Record<string, unknown>; extra?: Record<string, unknown> } = {}): string {
    const file = `${name}.json`;
    this.box.config({
      stateDir: `./state-${name}`, log: { format: 'json' }, shutdownGraceMs: 5000,
      cluster: { redis: this.redis.url, node: name, lockMs, scanIntervalMs, ...this.#o.cluster, ...over.cluster },
      pipelines: [this.pipeline(over.pipeline)], ...over.extra,
    }, file);
    return file;
  }

  /** Starts `sluice watch` as node `name` (its config written first unless `config` names another). */
  start(name: string, o: StartOptions & { config?: string } = {}): SluiceProcess {
    const config = o.config ?? this.configFor(name);
    const node = this.box.start(['watch', '--config', config], o);
    this.nodes.set(name, node);
    return node;
  }

  /** Waits until every node has its watcher up. */
  async ready(o?: WaitOptions): Promise<void> {
    for (const node of this.nodes.values()) await node.ready({ timeoutMs: 20_000, ...o });
  }

  /** Writes `n` inputs `f<i>.txt` (distinct contents) and returns their names. */
  inputs(n: number, prefix = 'f', from = 0): string[] {
    const names: string[] = [];
    for (let i = from; i < from + n; i++) {
      names.push(`${prefix}${i}.txt`);
      this.box.write(`in/${prefix}${i}.txt`, `${prefix}${i} `.repeat(20 + (i % 50)));
    }
    return names;
  }

  /** Waits until every named input has its `.gz` output in out/. */
  async outputs(names: readonly string[], o: WaitOptions = {}): Promise<void> {
    await waitFor(`${names.length} outputs`, () => names.every((n) => this.box.exists(`out/${n.replace(/\.txt$/, '.gz')}`)), { timeoutMs: 60_000, ...o });
  }

  /** Every node's "processed" log lines, as [node, input path]. */
  processed(): [string, string][] {
    const all: [string, string][] = [];
    for (const [name, node] of this.nodes) {
      for (const l of node.logs) if (l.message.startsWith('processed') && l.path) all.push([name, l.path]);
    }
    return all;
  }

  /** A client of the test's Redis (closed by the caller). */
  client(): Redis {
    return clientOf(this.redis);
  }

  /** Stops every node (SIGTERM, then kill), then Redis, then removes the sandbox. */
  async dispose(): Promise<void> {
    for (const node of this.nodes.values()) node.kill('SIGTERM');
    await Promise.all([...this.nodes.values()].map((n) => n.waitForExit(15_000).catch(() => n.destroy())));
    await this.redis.stop();
    fs.rmSync(this.box.dir, { recursive: true, force: true });
  }
}

/** The files under `dir` (relative), sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}
