// The cluster case's first half: files/s of 1, 2 and 3 `sluice watch` nodes sharing one in/ and out/, each on a stage
// that takes a fixed time per file (bench/fixtures/slow-copy.ts), so a node is limited by its stage concurrency.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng, text } from '../lib/corpus.js';
import { freshRedis, startNodes, type ClusterNode } from '../lib/cluster-nodes.js';
import { until } from '../lib/run.js';
import { verifyCopyTree } from '../lib/verify.js';

/** Each file's wait in the stage, ms. */
export const STAGE_MS = 50;
/** The stage's workers per node: one node tops out at CONCURRENCY × 1000 / STAGE_MS files/s. */
export const CONCURRENCY = 4;
const slowCopy = fileURLToPath(new URL('../fixtures/slow-copy.js', import.meta.url));

export interface Round {
  readonly nodes: number;
  /** From the first input written to the last output present, ms; null when they never all appeared. */
  readonly ms: number | null;
  /** The commits each node logged, n1 first. */
  readonly perNode: readonly number[];
  /** Files/s between the 10th and the 90th percent of the commits (all nodes): the rate once the round is under way. */
  readonly steadyRate: number | null;
  /** The longest a node took to exit on SIGTERM, ms. */
  readonly stopMs: number;
  /** The nodes' exit codes on SIGTERM, n1 first (null: killed, the grace ran out). */
  readonly exitCodes: readonly (number | null)[];
  /** The nodes' warn and error lines (the first few of each), `n2 warn: …`. */
  readonly problems: readonly string[];
  /** How many warn and error lines the nodes logged in all. */
  readonly problemLines: number;
  /** Wrong, missing or duplicated outputs. */
  readonly errors: readonly string[];
}

/** `count` distinct inputs of 1 KiB, made before any clock starts. */
function corpus(count: number): [string, Buffer][] {
  const random = rng(11);
  return Array.from({ length: count }, (_, i) => {
    const name = `f${String(i).padStart(5, '0')}.txt`;
    return [name, Buffer.concat([Buffer.from(`${name}\n`), text(1024, random)])];
  });
}

/** The published outputs at the top of `out` (temps live in out/.sluice-tmp/, a folder). */
function outputCount(out: string): number {
  try {
    return fs.readdirSync(out, { withFileTypes: true }).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

/**
 * One round in `work`/nodes-<n>: a fresh redis-server and fresh in/ and out/, `nodes` nodes started and watching, then
 * `files` inputs written and out/ polled until every output is there. Nodes and Redis are stopped before it returns.
 */
export async function scaleRound(work: string, nodes: number, files: number): Promise<Round> {
  const dir = path.join(work, `nodes-${nodes}`);
  const [inbox, out] = [path.join(dir, 'in'), path.join(dir, 'out')];
  fs.mkdirSync(inbox, { recursive: true });
  fs.mkdirSync(out, { recursive: true });
  const inputs = corpus(files);
  const redis = await freshRedis(path.join(dir, 'redis'));
  const pipeline = {
    name: 'b', input: { dir: inbox, settleMs: 50 }, output: { dir: out, path: '{relDir}/{base}' },
    stages: [{ use: slowCopy, concurrency: CONCURRENCY, with: { ms: STAGE_MS } }],
  };
  let started: ClusterNode[] = [];
  let got: { ms: number | null; errors: string[] } = { ms: null, errors: [] };
  const t = { stopped: 0, stopping: 0 };
  let exitCodes: (number | null)[] = [];
  try {
    const up = await startNodes(dir, nodes, { redis: redis.url, pipeline });
    started = up.nodes;
    got = up.errors.length > 0 ? { ms: null, errors: up.errors } : await measure(`${nodes} node(s)`, inbox, out, inputs, started);
  } finally {
    t.stopping = performance.now();
    exitCodes = await Promise.all(started.map((n) => n.stop()));
    t.stopped = performance.now();
    await redis.stop();
  }
  return {
    nodes, ...got, stopMs: t.stopped - t.stopping, exitCodes,
    perNode: started.map((n) => n.processed.length),
    steadyRate: steadyRate(started.flatMap((n) => n.processedAt)),
    problems: started.flatMap((n) => n.problems.slice(0, 5).map((p) => `${n.name} ${p}`)),
    problemLines: started.reduce((sum, n) => sum + n.problemLines, 0),
  };
}

/** Writes the inputs into `inbox` and times them until all are in `out`; then checks outputs and commits. */
async function measure(what: string, inbox: string, out: string, inputs: readonly [string, Buffer][], nodes: readonly ClusterNode[]) {
  const files = inputs.length;
  const t0 = performance.now();
  for (const [name, bytes] of inputs) fs.writeFileSync(path.join(inbox, name), bytes);
  const expectedMs = (files * STAGE_MS) / (CONCURRENCY * nodes.length);
  const all = await until(() => outputCount(out) >= files, 5 * expectedMs + 30_000, 10);
  const ms = performance.now() - t0;
  const commits = () => nodes.reduce((sum, n) => sum + n.processed.length, 0);
  await until(() => commits() >= files, 10_000, 50);
  // Time for a duplicate commit, were there one, to show in the logs (a scan or two, a job lock's life).
  await new Promise((r) => setTimeout(r, 1500));
  const names = inputs.map(([name]) => name);
  const errors = [...verifyCopyTree(what, inbox, out, names), ...checkCommits(what, out, names, nodes)];
  if (!all) errors.push(`${what}: only ${outputCount(out)} of ${files} outputs after ${Math.round(ms / 1000)} s`);
  return { ms: all ? ms : null, errors };
}

/** Each input committed exactly once cluster-wide (by the nodes' "processed" lines), and out/ holds nothing else. */
function checkCommits(what: string, out: string, names: readonly string[], started: readonly ClusterNode[]): string[] {
  const errors: string[] = [];
  const times = new Map<string, number>();
  for (const n of started) for (const p of n.processed) times.set(p, (times.get(p) ?? 0) + 1);
  const twice = [...times].filter(([, k]) => k > 1);
  if (twice.length > 0) errors.push(`${what}: ${twice.length} input(s) committed more than once, first ${twice[0]![0]} (${twice[0]![1]} times)`);
  const never = names.filter((name) => !times.has(name));
  if (never.length > 0) errors.push(`${what}: ${never.length} input(s) with no "processed" line, first ${never[0]}`);
  const extra = outputCount(out) - names.length;
  if (extra > 0) errors.push(`${what}: ${extra} unexpected file(s) in ${out}`);
  return errors;
}

/** Commits per second between the 10th and the 90th percent of `times` (ms); null with too few. */
function steadyRate(times: number[]): number | null {
  if (times.length < 20) return null;
  const sorted = [...times].sort((a, b) => a - b);
  const from = sorted[Math.floor(sorted.length * 0.1)]!;
  const to = sorted[Math.floor(sorted.length * 0.9)]!;
  return to > from ? (0.8 * sorted.length) / ((to - from) / 1000) : null;
}
