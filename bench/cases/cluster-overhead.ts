// The cluster case's second half: what cluster mode costs per job. The same `sluice run` copy of small files as one node
// on SQLite and as a 1-node cluster on Redis (a cluster `run` works on its own jobs: no watcher needed). Each mode's
// start-up is measured by a run over an empty folder and taken off, so ms/job is the per-file cost alone.
// Each run has its own stateDir, out/ and (cluster) fresh redis-server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTree } from '../lib/corpus.js';
import { freshRedis } from '../lib/cluster-nodes.js';
import type { Timed } from '../lib/run.js';
import { sluiceRun } from '../lib/sluice-run.js';
import { verifyCopyTree } from '../lib/verify.js';

/** Runs of each kind per mode, the modes taking turns; the figures are the medians (the machine may be busy). */
export const REPEATS = 3;

export interface ModeRun {
  readonly mode: 'single' | 'cluster';
  /** The median run over the files. */
  readonly full: Timed;
  /** The median run over an empty folder: start-up and shutdown. */
  readonly empty: Timed;
  /** (full − empty) / files, ms. */
  readonly msPerJob: number;
}

const median = (runs: readonly Timed[]): Timed => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;

/** Both modes over `files` × `bytes`, in `work`, single first; wrong outputs and failed runs go to `errors`. */
export async function overheadRuns(work: string, files: number, bytes: number, errors: string[]): Promise<ModeRun[]> {
  const src = path.join(work, 'copy-src');
  const rels = makeTree(src, files, bytes, 1, 5);
  const empty = path.join(work, 'copy-empty');
  fs.mkdirSync(empty, { recursive: true });
  const modes = ['single', 'cluster'] as const;
  const got = new Map(modes.map((m) => [m, { full: [] as Timed[], empty: [] as Timed[] }]));
  for (let i = 0; i < REPEATS; i++) {
    for (const mode of modes) {
      const name = (what: string) => `${mode}-${what}-${i}`;
      const e = await oneRun(work, name('empty'), empty, mode === 'cluster');
      const full = await oneRun(work, name('full'), src, mode === 'cluster');
      for (const [what, t] of [['empty', e], ['full', full]] as const) {
        if (t.code !== 0) errors.push(`copy, ${mode} (${what}): sluice run exited ${t.code}: ${t.stderr.slice(-2000)}`);
      }
      errors.push(...verifyCopyTree(`copy, ${mode} (run ${i + 1})`, src, path.join(work, `${name('full')}-out`), rels));
      got.get(mode)!.full.push(full);
      got.get(mode)!.empty.push(e);
    }
  }
  return modes.map((mode) => {
    const { full, empty: e } = got.get(mode)!;
    return { mode, full: median(full), empty: median(e), msPerJob: (median(full).ms - median(e).ms) / files };
  });
}

/** One `sluice run` copy from `input` to `work`/<name>-out, cluster mode on a fresh redis-server of its own if asked. */
async function oneRun(work: string, name: string, input: string, cluster: boolean): Promise<Timed> {
  const redis = cluster ? await freshRedis(path.join(work, `${name}-redis`)) : null;
  try {
    // The corpus and the last run's outputs on disk first, so no run pays for another's writeback.
    spawnSync('sync', ['-f', work], { stdio: 'ignore' });
    return await sluiceRun(work, name, {
      input, output: path.join(work, `${name}-out`), use: 'copy',
      ...(redis === null ? {} : { cluster: { redis: redis.url, node: name, lockMs: 5000, scanIntervalMs: 200 } }),
    });
  } finally {
    await redis?.stop();
  }
}
