import fs from 'node:fs/promises';
import path from 'node:path';
import type { Conflict } from '../config/resolved.js';
import { SluiceError } from '../errors.js';
import type { FileRecord, Finish, StateStore } from '../state/store.js';
import { finishOf } from './finish.js';
import { crashPoint } from '../core/fault.js';
import { assertInputUnchanged } from './commit.js';
import type { Durability } from './durability.js';
import { renameInto, type DirCache } from './files.js';
import type { Job } from './job.js';
import type { OutputTarget } from './output-paths.js';
import type { StagesResult } from './stages.js';
import { pathExists } from '../fs/exists.js';

/** One result ready to be published (replace mode): the last stage's result and where it goes. */
export interface CommitItem {
  readonly job: Job;
  readonly result: StagesResult;
  readonly target: OutputTarget;
  /** The completion marker's absolute path, or null. */
  readonly marker: string | null;
  readonly attempts: number;
}

/** A temp file and the output path it is renamed to. */
export interface Move {
  readonly temp: string;
  final: string;
}

/** An item's publication, worked out before its locks are taken and settled under them. */
export interface Plan {
  readonly item: CommitItem;
  /**
   * What this input's previous record lists, with the outputs an interrupted commit may have left (its finish):
   * always replaced, and (folder outputs) removed when not produced again.
   */
  readonly previous: readonly string[];
  /** The previous record, when it was read (conflicts, folder outputs). */
  readonly record: FileRecord | undefined;
  readonly moves: Move[];
  /** Every path whose lock the publication takes. */
  readonly keys: readonly string[];
  /** Outputs left as they were (conflict: keep). */
  skipped: number;
}

/** The plan of `item`. Reads the previous record only when it matters: conflicts, folder outputs, markers. */
export async function planOf(item: CommitItem, store: StateStore): Promise<Plan> {
  const { job, result, target } = item;
  const moves: Move[] = result.kind === 'file'
    ? [{ temp: result.temp, final: (target as { final: string }).final }]
    : result.files.map((f) => ({ temp: path.join(result.dir, f), final: path.join((target as { dir: string }).dir, f) }));
  const needsPrevious = job.pipeline.output.conflict !== 'replace' || target.kind === 'folder';
  const record = needsPrevious ? await store.get(job.pipeline.name, job.relPath) : undefined;
  const previous = outputsOf(record);
  const keys = new Set([...moves.map((m) => m.final), ...previous]);
  if (item.marker !== null) keys.add(item.marker);
  return { item, previous, record, moves, keys: [...keys], skipped: 0 };
}

/** The outputs a record says may be there: those it lists and those its finish still has to remove. */
export function outputsOf(record: FileRecord | undefined): string[] {
  return [...new Set([...(record?.outputs ?? []), ...(record?.finish?.remove ?? [])])];
}

/**
 * For a folder output, written (durably) before the first rename: the previous record with a finish that removes
 * every output this publication adds (and no marker), or, without one, a transient COMMIT_INTERRUPTED failure with that
 * finish. Should the process die between a rename and the new record, recovery removes what the interrupted commit
 * placed, the missing marker (or the changed input) has the input redone, and no later, smaller result of another
 * version can leave those files beside its own under its marker.
 */
export function intentOf(plan: Plan): FileRecord {
  const { job, attempts } = plan.item;
  const placed = plan.moves.map((m) => m.final).filter((f) => !plan.previous.includes(f));
  const finish = { remove: [...new Set([...(plan.record?.finish?.remove ?? []), ...placed])], marker: null };
  if (plan.record) return { ...plan.record, finish };
  return {
    pipeline: job.pipeline.name, relPath: job.relPath, fingerprint: job.fingerprint, hash: job.pipeline.hash, status: 'failed',
    outputs: [], attempts, stage: 'commit', updatedAt: Date.now(), disposed: true, finish,
    error: { code: 'COMMIT_INTERRUPTED', message: 'sluice stopped while it committed these outputs; the input is processed again', kind: 'transient' },
  };
}

/**
 * Under the plan's locks: re-checks the input, settles each output's conflict (see Conflict) and removes the input's
 * completion marker if it is there; returns the marker's folder when one was removed (to make durable before any output
 * is replaced). Throws what fails the item: INPUT_CHANGED / INPUT_VANISHED, OUTPUT_EXISTS.
 */
export async function prepare(plan: Plan): Promise<string | null> {
  await assertInputUnchanged(plan.item.job);
  const { conflict } = plan.item.job.pipeline.output;
  if (conflict !== 'replace') {
    const kept: Move[] = [];
    for (const move of plan.moves) if (!(await settleConflict(move, conflict, plan.previous))) kept.push(move);
    plan.skipped = plan.moves.length - kept.length;
    plan.moves.splice(0, plan.moves.length, ...kept);
  }
  const { marker } = plan.item;
  if (marker === null) return null;
  try {
    await fs.unlink(marker);
    return path.dirname(marker);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A plan in a batch, which fails alone. */
export interface Publishing {
  readonly plan: Plan;
  reject(err: unknown): void;
}

/**
 * Prepares every plan (see prepare), makes the removed markers durable, then renames each plan's outputs into place, in
 * order. A plan that fails is rejected alone and left out; returns the others, in batch order, with their outputs.
 */
export async function publishAll<P extends Publishing>(
  batch: readonly P[], o: { durability: Durability; dirs: DirCache; store: StateStore },
): Promise<{ p: P; outputs: string[] }[]> {
  const ready: P[] = [];
  const markerDirs: string[] = [];
  await Promise.all(batch.map(async (p) => {
    try {
      const dir = await prepare(p.plan);
      if (dir !== null) markerDirs.push(dir);
      ready.push(p);
    } catch (err) {
      p.reject(err);
    }
  }));
  if (markerDirs.length > 0) {
    await o.durability.dirs(markerDirs);
    for (const _ of markerDirs) crashPoint('after-marker-removed');
  }
  const intents = ready.filter((p) => p.plan.item.target.kind === 'folder').map((p) => intentOf(p.plan));
  if (intents.length > 0) await o.store.putAll(intents);
  const placed = new Map<P, string[]>();
  await Promise.all(ready.map(async (p) => {
    try {
      for (const move of p.plan.moves) await renameInto(move.temp, move.final, o.dirs);
      placed.set(p, p.plan.moves.map((m) => m.final));
    } catch (err) {
      p.reject(err);
    }
  }));
  for (const _ of placed) crashPoint('after-rename');
  return batch.filter((p) => placed.has(p)).map((p) => ({ p, outputs: placed.get(p)! }));
}

/**
 * The finish a published plan owes: for a folder output, the outputs its previous result had and this one has not —
 * less any that another input's record lists (with conflict: replace it took the path over, so the file is its now) —
 * and the completion marker. Null when it owes nothing. The plan's locks cover every one of those paths.
 */
export async function finishOwed(plan: Plan, outputs: readonly string[], store: StateStore): Promise<Finish | null> {
  const { job, target, marker } = plan.item;
  const candidates = target.kind === 'folder' ? plan.previous.filter((o) => !outputs.includes(o)) : [];
  const stale: string[] = [];
  for (const file of candidates) {
    const claimed = (await store.producersOf(file, 2)).some((r) => r.pipeline !== job.pipeline.name || r.relPath !== job.relPath);
    if (!claimed) stale.push(file);
  }
  return finishOf(stale, marker);
}

/** Most `name (n).ext` tried by conflict: rename. */
const maxRenames = 1000;

/** Applies `conflict` to one output; true when it is to be skipped (keep). May change `move.final` (rename). */
async function settleConflict(move: Move, conflict: Conflict, previous: readonly string[]): Promise<boolean> {
  const taken = async (file: string) => !previous.includes(file) && (await pathExists(file));
  if (!(await taken(move.final))) return false;
  if (conflict === 'keep') return true;
  if (conflict === 'rename') {
    const ext = path.extname(move.final);
    const stem = move.final.slice(0, move.final.length - ext.length);
    for (let n = 2; n <= maxRenames + 1; n++) {
      const candidate = `${stem} (${n})${ext}`;
      if (!(await taken(candidate))) {
        move.final = candidate;
        return false;
      }
    }
  }
  throw new SluiceError('OUTPUT_EXISTS',
    `the output ${move.final} already exists and this input did not write it (output.conflict: ${conflict}` +
    `${conflict === 'rename' ? `, and ${maxRenames} other names were taken too` : ''}); move it away, or set output.conflict`,
    { kind: 'permanent', context: { stage: 'commit', path: move.final } });
}
