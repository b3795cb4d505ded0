import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig, ResolvedPipeline } from '../config/resolved.js';
import { isWithin } from '../config/validate.js';
import { controlRequest } from '../control/client.js';
import { upToDate } from '../pipeline/up-to-date.js';
import { readyMarkerFile } from '../watch/ready-marker.js';
import { openStoreReadOnly } from '../state/read-only.js';
import { sameFingerprint, type FileRecord, type StateStore } from '../state/store.js';
import { createFilter } from '../watch/filter.js';
import { fingerprintOf } from '../watch/settle.js';
import type { LiveFile } from './live.js';

/** What the store recorded for a (pipeline, input). */
export interface RecordView {
  readonly status: 'done' | 'failed';
  readonly at: string;
  readonly outputs: readonly string[];
  readonly attempts: number;
  readonly stage: string | null;
  /** `kind` transient: the next run or rescan tries it again by itself. */
  readonly error: { readonly code: string; readonly message: string; readonly kind?: 'transient' | 'permanent' } | null;
  /** The pipeline version (hash) that produced it, and whether it is the configured one. */
  readonly version: string;
  readonly currentVersion: boolean;
}

export type InputState =
  | 'settling' | 'queued' | 'running' | 'unchanged' | 'done' | 'changed' | 'failed' | 'new' | 'waiting' | 'unknown';

/** The path seen as an input of one pipeline. */
export interface AsInput {
  readonly pipeline: string;
  readonly inputDir: string;
  /** Relative to input.dir; null when the path is outside it. */
  readonly relPath: string | null;
  readonly matches: boolean;
  /** Why it is not an input of this pipeline (outside input.dir, a built-in or configured rule, a folder sluice writes). */
  readonly excludedBy: string | null;
  /** null when it does not match. */
  readonly state: InputState | null;
  /** From the running daemon: settling / queued (with position) / running (with stage). */
  readonly live: LiveFile | null;
  readonly record: RecordView | null;
  /** Where the input is or went: its folder after onSuccess / onFailure, with the failure sidecar. */
  readonly location: { readonly path: string; readonly exists: boolean; readonly sidecar: string | null } | null;
  /** A recorded output (or the completion marker) that no longer exists: why it is processed again. */
  readonly missingOutput: string | null;
  /** State `waiting`: the ready marker (input.marker) it waits for, absolute. */
  readonly marker: string | null;
}

/** The path is an output: which input and pipeline version produced it, and when. */
export interface AsOutput {
  readonly pipeline: string;
  readonly input: string;
  readonly relPath: string;
  readonly version: string;
  readonly currentVersion: boolean;
  readonly at: string;
}

/** The path lies in an archive (onSuccess.moveTo) or failed (onFailure.moveTo) folder. */
export interface AsMoved {
  readonly pipeline: string;
  readonly as: 'archived' | 'quarantined';
  readonly relPath: string;
  /** Where it came from (and goes back to with `sluice retry`). */
  readonly input: string;
  readonly sidecar: string | null;
  readonly record: RecordView | null;
}

export interface Explanation {
  readonly path: string;
  readonly exists: boolean;
  /** A daemon answered for the live states. */
  readonly daemon: boolean;
  readonly inputs: readonly AsInput[];
  readonly outputOf: readonly AsOutput[];
  readonly moved: readonly AsMoved[];
}

const maxProducers = 20;

/** Where explain reads from inside a running daemon: its own store and what its engine holds now. */
export interface ExplainSources {
  readonly store: StateStore;
  live(pipeline: string, relPath: string): LiveFile | null;
}

/**
 * Explains what sluice did, does or would do with `target` (absolute, or relative to cwd). From outside a daemon it
 * opens the store read-only and asks a running daemon for the live part; a daemon passes its own `sources`.
 */
export async function explain(config: ResolvedConfig, target: string, cwd = process.cwd(), sources?: ExplainSources): Promise<Explanation> {
  const abs = path.resolve(cwd, target);
  const store = sources?.store ?? (await openStoreReadOnly(config));
  try {
    const daemon = sources !== undefined || (await controlRequest(config.stateDir, 'GET', '/status').catch(() => null)) !== null;
    const inputs: AsInput[] = [];
    for (const p of config.pipelines) {
      const input = await asInput(p, abs, store);
      const live = !daemon || !input.matches ? null
        : sources ? sources.live(p.name, input.relPath!) : await liveState(config.stateDir, p.name, input.relPath!);
      inputs.push(live ? { ...input, live, state: live.state } : input);
    }
    const byName = new Map(config.pipelines.map((p) => [p.name, p]));
    const outputOf = (await store.producersOf(abs, maxProducers)).map((r): AsOutput => {
      const p = byName.get(r.pipeline);
      return {
        pipeline: r.pipeline, relPath: r.relPath, input: p ? path.join(p.input.dir, r.relPath) : r.relPath,
        version: r.hash, currentVersion: p?.hash === r.hash, at: new Date(r.updatedAt).toISOString(),
      };
    });
    return { path: abs, exists: fs.existsSync(abs), daemon, inputs, outputOf, moved: await asMoved(config, abs, store) };
  } finally {
    if (!sources) await store.close();
  }
}

async function liveState(stateDir: string, pipeline: string, relPath: string): Promise<LiveFile | null> {
  const query = `/file?pipeline=${encodeURIComponent(pipeline)}&path=${encodeURIComponent(relPath)}`;
  return controlRequest<LiveFile | null>(stateDir, 'GET', query).catch(() => null);
}

async function asInput(p: ResolvedPipeline, abs: string, store: StateStore): Promise<AsInput> {
  const base = { pipeline: p.name, inputDir: p.input.dir, live: null, missingOutput: null, marker: null };
  const none = { matches: false, state: null, record: null, location: null } as const;
  if (abs === p.input.dir || !isWithin(p.input.dir, abs)) return { ...base, ...none, relPath: null, excludedBy: `outside input.dir ${p.input.dir}` };
  const relPath = path.relative(p.input.dir, abs).split(path.sep).join('/');
  const verdict = createFilter(p).file(relPath);
  if (!verdict.ok) return { ...base, ...none, relPath, excludedBy: verdict.rule };
  const record = await store.get(p.name, relPath);
  const stat = lstat(abs);
  let state: InputState;
  let missingOutput: string | null = null;
  let marker: string | null = null;
  if (stat === null || !stat.isFile()) state = record ? record.status : 'unknown';
  else {
    const verdict = await upToDate(p, relPath, fingerprintOf(stat), record);
    missingOutput = verdict.missing;
    state = verdict.decision === 'process' ? (record ? 'changed' : 'new')
      : verdict.decision === 'dispose' ? 'done' : verdict.decision === 'unchanged' ? 'unchanged' : 'failed';
    // A transient failure is tried again by itself: still "failed" until that run, not "changed".
    if (record?.status === 'failed' && record.hash === p.hash && sameFingerprint(record.fingerprint, fingerprintOf(stat))) state = 'failed';
    marker = verdict.decision === 'process' ? missingMarker(p, relPath) : null;
    if (marker !== null) state = 'waiting';
  }
  return {
    ...base, relPath, matches: true, excludedBy: null, state, record: record ? view(record, p) : null,
    location: location(p, relPath, abs, record), missingOutput, marker,
  };
}

/** The ready marker the input waits for, when the pipeline has one and it is not there; else null. */
function missingMarker(p: ResolvedPipeline, relPath: string): string | null {
  const file = readyMarkerFile(p, relPath);
  return file !== null && lstat(file) === null ? file : null;
}

/** Where the input of a recorded result is: moved by its disposition, or still in place. */
function location(p: ResolvedPipeline, relPath: string, abs: string, record: FileRecord | undefined): AsInput['location'] {
  if (!record) return null;
  const disposition = record.status === 'done' ? p.onSuccess : p.onFailure;
  if (disposition.kind !== 'move' || !record.disposed) return { path: abs, exists: fs.existsSync(abs), sidecar: null };
  const moved = path.join(disposition.dir, relPath);
  const sidecar = record.status === 'failed' ? `${moved}.error.json` : null;
  return { path: moved, exists: fs.existsSync(moved), sidecar: sidecar !== null && fs.existsSync(sidecar) ? sidecar : null };
}

async function asMoved(config: ResolvedConfig, abs: string, store: StateStore): Promise<AsMoved[]> {
  const found: AsMoved[] = [];
  for (const p of config.pipelines) {
    for (const [as, d] of [['archived', p.onSuccess], ['quarantined', p.onFailure]] as const) {
      if (d.kind !== 'move' || abs === d.dir || !isWithin(d.dir, abs)) continue;
      let relPath = path.relative(d.dir, abs).split(path.sep).join('/');
      if (as === 'quarantined' && relPath.endsWith('.error.json')) relPath = relPath.slice(0, -'.error.json'.length);
      const record = await store.get(p.name, relPath);
      const sidecar = as === 'quarantined' ? path.join(d.dir, `${relPath}.error.json`) : null;
      if (!record && !(sidecar !== null && fs.existsSync(sidecar))) continue;
      found.push({
        pipeline: p.name, as, relPath, input: path.join(p.input.dir, relPath),
        sidecar: sidecar !== null && fs.existsSync(sidecar) ? sidecar : null, record: record ? view(record, p) : null,
      });
    }
  }
  return found;
}

function view(r: FileRecord, p: ResolvedPipeline): RecordView {
  return {
    status: r.status, at: new Date(r.updatedAt).toISOString(), outputs: r.outputs, attempts: r.attempts, stage: r.stage,
    error: r.error, version: r.hash, currentVersion: r.hash === p.hash,
  };
}

function lstat(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}
