import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import { fsyncDir, fsyncFile } from '../fs/durable.js';
import { absentSize, type InputKey, type StateStore } from '../state/store.js';
import { describe } from '../errors.js';
import { DirCache } from './files.js';
import { runFinishes } from './finish.js';
import type { PathLocks } from './path-locks.js';
import { removeTempDir } from './temp-files.js';

/** Most half-done dispositions settled per start; the rest stay pending, which is harmless (see below). */
const maxPendingDisposals = 10_000;

/**
 * Start-up recovery, run while holding the instance lock and before any intake: removes temp files an earlier process
 * left in output folders, cuts away append blocks that were being written when it died (their jobs are redone,
 * because their success was never recorded), and settles dispositions that were carried out but not recorded.
 */
export async function recover(config: ResolvedConfig, store: StateStore, events: EventBus, shared?: SharedRecovery): Promise<void> {
  const outputDirs = new Set(config.pipelines.map((p) => p.output.dir));
  for (const dir of outputDirs) {
    const removed = await removeTempDir(dir, shared?.ownTemps);
    if (removed > 0) events.emit({ type: 'recovered', what: `${removed} orphaned temp file(s)`, path: dir });
  }
  for (const intent of await store.appends()) {
    const release = await shared?.locks.acquire(intent.path);
    try {
      // Under the output's lock an intent still there is an orphan: a live writer clears its own before it lets go.
      if (shared && !(await store.appends()).some((i) => i.path === intent.path)) continue;
      await cutBack(intent.path, intent.size, events);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    } finally {
      release?.();
    }
    await store.endAppend(intent.path);
  }
  // On a shared store another node may be between a record and its finish: the input's next scan finishes it, as a
  // dispose job under the paths' locks.
  if (!shared) await settleFinishes(config, store, events);
  await settleDispositions(config, store, events);
}

/** Recovery on a store other live nodes share (cluster mode). */
export interface SharedRecovery {
  /** The temp files that are this node's own, from an earlier incarnation: the only ones it removes at start. */
  readonly ownTemps: (name: string) => boolean;
  /** The cross-node path locks: an append intent is cut back only while holding its output. */
  readonly locks: PathLocks;
}

/**
 * Records whose commit died between the record and its finish (stale outputs of a folder output not yet removed, the
 * completion marker not yet written): that work is done now, before any intake. One that fails is reported and stays
 * owed: the input's next scan tries again (a `dispose` job).
 */
async function settleFinishes(config: ResolvedConfig, store: StateStore, events: EventBus): Promise<void> {
  const roots = new Map(config.pipelines.map((p) => [p.name, p.output.dir]));
  const owing = await store.pendingFinishes(maxPendingDisposals);
  if (owing.length === 0) return;
  try {
    await runFinishes(owing.map((r) => ({ finish: r.finish!, root: roots.get(r.pipeline) ?? null })), new DirCache(),
      (dirs) => Promise.all(dirs.map((d) => fsyncDir(d))).then(() => {}));
  } catch (err) {
    events.emit({
      type: 'warning', code: 'FINISH_FAILED',
      message: `could not finish ${owing.length} commit(s) at start: ${describe(err)}; the next scan tries again`,
    });
    return;
  }
  await store.markAllFinished(owing);
  events.emit({ type: 'recovered', what: `${owing.length} commit(s) whose stale outputs or completion marker were pending`, path: config.stateDir });
}

/**
 * Cuts an append output back to `size` (removes it for absentSize), durably: the intent that says so is cleared only
 * after, or a power cut could bring the half block back with nothing left to say it must go.
 */
async function cutBack(file: string, size: number, events: EventBus): Promise<void> {
  const { size: now } = await fs.stat(file);
  if (size === absentSize) {
    await fs.rm(file, { force: true });
    await fsyncDir(path.dirname(file));
    events.emit({ type: 'recovered', what: `an append output its first block had just created (${now} bytes)`, path: file });
  } else if (now > size) {
    await fs.truncate(file, size);
    await fsyncFile(file);
    events.emit({ type: 'recovered', what: `a half-written append block (${now - size} bytes cut)`, path: file });
  }
}

/**
 * A record whose disposal is pending while its input is gone: the move or delete happened and the process died before
 * recording it, so it is recorded now. An input still in place is left to the start-up scan, which finishes its
 * disposal (a `dispose` job) or, if it changed, processes it again.
 */
async function settleDispositions(config: ResolvedConfig, store: StateStore, events: EventBus): Promise<void> {
  const pipelines = new Map(config.pipelines.map((p) => [p.name, p]));
  const settled: InputKey[] = [];
  for (const record of await store.pendingDisposals(maxPendingDisposals)) {
    const p = pipelines.get(record.pipeline);
    if (!p) continue;
    const input = path.join(p.input.dir, record.relPath);
    const present = await fs.lstat(input).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return false;
      throw err;
    });
    if (present) continue;
    settled.push(record);
    events.emit({ type: 'recovered', what: 'a disposal that was done but not recorded', path: input });
  }
  await store.markAllDisposed(settled);
}
