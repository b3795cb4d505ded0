import { overheadRuns, REPEATS, type ModeRun } from './cluster-overhead.js';
import { CONCURRENCY, scaleRound, STAGE_MS, type Round } from './cluster-scaling.js';
import { mb, newCase, round, type CaseResult } from '../lib/report.js';
import { have } from '../lib/run.js';

export interface ClusterSize {
  /** Inputs of each scaling round (1, 2, then 3 nodes). */
  readonly scaleFiles: number;
  /** Inputs of each overhead run (4 KiB each). */
  readonly overheadFiles: number;
}

/** The scaling targets: n-node files/s at least this many times 1-node files/s (90% of linear). */
const SCALING: Readonly<Record<number, number>> = { 2: 1.8, 3: 2.7 };
/** A 1-node cluster's ms/job at most this many times one node's on SQLite. */
const OVERHEAD = 2;
const BYTES = 4096;
/** Below this, the first files' settle and queueing weigh on a round's files/s: judge on the full size. */
const FULL_SCALE_FILES = 600;

/**
 * Case 6: cluster mode, as two tables. cluster-scaling: files/s of 1, 2 and 3 `sluice watch` nodes on shared folders
 * and one redis-server, on a stage of a fixed STAGE_MS per file. cluster-overhead: `sluice run` copy ms/job, a 1-node
 * cluster against one node on SQLite. Both skipped (targets n/a) without redis-server.
 */
export async function cluster(work: string, size: ClusterSize): Promise<CaseResult[]> {
  const scaling = newCase('cluster-scaling', `Cluster scaling: ${size.scaleFiles} files through a ${STAGE_MS} ms stage ` +
    `(concurrency ${CONCURRENCY} per node) on 1, 2, 3 watching nodes`, { files: size.scaleFiles, stageMs: STAGE_MS, concurrency: CONCURRENCY });
  const overhead = newCase('cluster-overhead', `Cluster overhead: sluice run, ${size.overheadFiles} x ${BYTES / 1024} KiB ` +
    'through copy, a 1-node cluster against one node on SQLite', { files: size.overheadFiles, bytes: BYTES });
  if (!have('redis-server')) {
    for (const c of [scaling, overhead]) {
      c.skipped.push('cluster mode: redis-server is not installed (Debian package redis-server: apt-get install redis-server)');
    }
    const detail = 'redis-server not installed';
    for (const [n, x] of Object.entries(SCALING)) scaling.targets.push({ name: scalingTarget(n, x), met: null, detail });
    overhead.targets.push({ name: overheadTarget, met: null, detail });
    return [scaling, overhead];
  }
  const rounds: Round[] = [];
  for (const nodes of [1, 2, 3]) {
    const r = await scaleRound(work, nodes, size.scaleFiles);
    scaling.errors.push(...r.errors);
    rounds.push(r);
  }
  reportScaling(scaling, rounds, size.scaleFiles);
  reportOverhead(overhead, await overheadRuns(work, size.overheadFiles, BYTES, overhead.errors), size.overheadFiles);
  return [scaling, overhead];
}

const scalingTarget = (nodes: string, x: number): string => `${nodes} nodes >= ${x} x 1 node (files/s)`;
const overheadTarget = `1-node cluster ms/job <= ${OVERHEAD} x one node on SQLite`;

/** One row per round (ratio: its files/s over 1 node's), a target per ratio in SCALING. */
function reportScaling(c: CaseResult, rounds: readonly Round[], files: number): void {
  const rate = (r: Round | undefined) => (r?.ms == null ? null : files / (r.ms / 1000));
  const one = rate(rounds[0]);
  for (const r of rounds) {
    const ratio = r.nodes === 1 || one === null ? null : round((rate(r) ?? NaN) / one, 2);
    const problems = r.problems.length === 0 ? [] : [`${r.problemLines} warn/error line(s), first: ${r.problems[0]}`];
    const exits = r.exitCodes.map((code, i) => (code === 0 ? '' : `n${i + 1} exited ${code ?? 'killed'} on SIGTERM`));
    const note = [r.nodes === 1 ? 'ratio: n-node files/s / 1-node files/s (first input written to last output); steady: ' +
      'between the 10th and 90th percent of commits' : '', ...exits, ...problems].filter(Boolean).join('; ');
    c.rows.push({
      tool: `sluice watch, ${r.nodes} node(s)`, ratio,
      figures: {
        seconds: round(r.ms === null ? null : r.ms / 1000, 2), 'files/s': round(rate(r)), 'steady files/s': round(r.steadyRate),
        'ideal files/s': (r.nodes * CONCURRENCY * 1000) / STAGE_MS, 'commits per node': r.perNode.join('/'),
        'stop s': round(r.stopMs / 1000, 2),
      },
      ...(note === '' ? {} : { note }),
    });
  }
  const quick = files < FULL_SCALE_FILES ? `; at ${files} files the first files' settle and queueing weigh heavily: judge on the full size` : '';
  for (const [n, want] of Object.entries(SCALING)) {
    const r = rounds.find((x) => x.nodes === Number(n));
    const x = one === null || rate(r) === null ? null : round(rate(r)! / one, 2);
    c.targets.push({
      name: scalingTarget(n, want), met: x === null ? null : x >= want,
      detail: `${x}x (${round(rate(r))} vs ${round(one)} files/s)${quick}`,
    });
  }
}

/** One row per mode (the cluster's ratio: its ms/job over SQLite's), and the overhead target. */
function reportOverhead(c: CaseResult, runs: readonly ModeRun[], files: number): void {
  const [single, clustered] = runs as [ModeRun, ModeRun];
  const ratio = round(clustered.msPerJob / single.msPerJob, 2);
  for (const r of runs) {
    c.rows.push({
      tool: r.mode === 'single' ? 'sluice run copy, one node (SQLite)' : 'sluice run copy, 1-node cluster (Redis)',
      ratio: r.mode === 'single' ? null : ratio,
      figures: {
        seconds: round(r.full.ms / 1000, 2), 'empty run s': round(r.empty.ms / 1000, 2),
        'ms/job': round(r.msPerJob, 2), 'ms/job incl. start-up': round(r.full.ms / files, 2), 'peak RSS MB': mb(r.full.peakRssKb),
      },
      ...(r.mode === 'single' ? { note: `medians of ${REPEATS} runs each; ms/job: (run - empty run) / files; ratio: cluster ms/job / SQLite ms/job` } : {}),
    });
  }
  c.targets.push({
    name: overheadTarget, met: ratio === null ? null : ratio <= OVERHEAD,
    detail: `${ratio}x (${round(clustered.msPerJob, 2)} vs ${round(single.msPerJob, 2)} ms/job)`,
  });
}
