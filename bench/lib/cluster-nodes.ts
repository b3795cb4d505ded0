// Cluster nodes for the bench: `sluice watch` processes in cluster mode (JSON logs), each with its own config and
// stateDir, all on one redis-server (test/helpers/redis.ts's: a unix socket, AOF on, no snapshots, noeviction).
import fs from 'node:fs';
import path from 'node:path';
import { startRedis, type RedisServer } from '../../test/helpers/redis.js';
import { Service, sluiceBin, sluiceConfig, until } from './run.js';

export { startRedis, type RedisServer };

/** What every node of a round shares; paths are absolute. */
export interface NodeSpec {
  /** The redis URL, `unix:///…/redis.sock`. */
  readonly redis: string;
  /** The one pipeline, as sluice's config takes it. */
  readonly pipeline: Record<string, unknown>;
  /** More `cluster` keys. @default lockMs 5000, scanIntervalMs 200 */
  readonly cluster?: Record<string, unknown>;
}

/** The first problems kept per node: enough to say what went wrong, bounded whatever a node logs. */
const MAX_PROBLEMS = 20;

/** One node: its log lines tallied as they come (the inputs it processed, its warnings and errors). */
export class ClusterNode {
  readonly name: string;
  readonly service: Service;
  /** The input paths this node logged as processed, in order (one entry per commit). */
  readonly processed: string[] = [];
  /** When each of those lines arrived (performance.now()). */
  readonly processedAt: number[] = [];
  /** Its first warn and error lines, `level: message (path, after SIGTERM)`. */
  readonly problems: string[] = [];
  /** Its warn and error lines, counted (all of them, not just the first kept). */
  problemLines = 0;
  #watching = false;
  #stopping = false;

  /** Writes node `name`'s config under `work` and starts `sluice watch` on it from the repo's bin/sluice. */
  constructor(work: string, name: string, spec: NodeSpec) {
    this.name = name;
    const config = sluiceConfig(work, name, {
      stateDir: path.join(work, `state-${name}`), log: { format: 'json' },
      cluster: { redis: spec.redis, node: name, lockMs: 5000, scanIntervalMs: 200, ...spec.cluster },
      pipelines: [spec.pipeline],
    });
    this.service = new Service([sluiceBin, 'watch', '--config', config], { onLine: (line) => this.#take(line) });
  }

  #take(line: string): void {
    let l: { level?: string; message?: string; path?: string };
    try {
      l = JSON.parse(line) as typeof l;
    } catch {
      l = { level: 'error', message: line };
    }
    const message = l.message ?? '';
    if (message.startsWith('watching ')) this.#watching = true;
    if (message.startsWith('processed') && l.path !== undefined) {
      this.processed.push(l.path);
      this.processedAt.push(performance.now());
    }
    if (l.level !== 'warn' && l.level !== 'error') return;
    this.problemLines += 1;
    const where = [l.path, this.#stopping ? 'after SIGTERM' : undefined].filter(Boolean).join(', ');
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${l.level}: ${message}${where === '' ? '' : ` (${where})`}`);
  }

  /** True once the node logged its "watching" line; false if it did not within `timeoutMs` or exited first. */
  ready(timeoutMs = 30_000): Promise<boolean> {
    let exited = false;
    void this.service.exited.then(() => (exited = true));
    return until(() => this.#watching || exited, timeoutMs, 20).then((ok) => ok && this.#watching);
  }

  /** SIGTERM, SIGKILL after `graceMs`; resolves with its exit code (null: killed by a signal) once it has exited. */
  async stop(graceMs = 15_000): Promise<number | null> {
    this.#stopping = true;
    await this.service.stop(graceMs);
    return this.service.exited;
  }
}

/** Starts `count` nodes n1…n<count> under `work` and waits for all to watch; the failures to start, as errors. */
export async function startNodes(work: string, count: number, spec: NodeSpec): Promise<{ nodes: ClusterNode[]; errors: string[] }> {
  const nodes = Array.from({ length: count }, (_, i) => new ClusterNode(work, `n${i + 1}`, spec));
  const ready = await Promise.all(nodes.map((n) => n.ready()));
  const errors = nodes.filter((_, i) => !ready[i]).map((n) => `node ${n.name} did not start watching: ${n.service.stderrTail.slice(-1500)}`);
  return { nodes, errors };
}

/** A fresh redis-server in `dir` (made), for one round. */
export function freshRedis(dir: string): Promise<RedisServer> {
  fs.mkdirSync(dir, { recursive: true });
  return startRedis(dir);
}
