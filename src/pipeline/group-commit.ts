import path from 'node:path';
import { crashPoint } from '../core/fault.js';
import type { PathLocks } from './path-locks.js';
import type { Release } from '../core/semaphore.js';
import type { EventBus } from '../observability/events.js';
import type { FileRecord, StateStore } from '../state/store.js';
import { doneRecord } from './commit.js';
import { confirmHeld, confirmLocks } from './confirm.js';
import { disposeBatch } from './dispose-batch.js';
import type { Durability } from './durability.js';
import type { DirCache } from './files.js';
import { runFinishes } from './finish.js';
import { finishOwed, planOf, publishAll, type CommitItem, type Plan } from './publish.js';

export type { CommitItem } from './publish.js';

export interface GroupCommitOptions {
  readonly store: StateStore;
  readonly locks: PathLocks;
  readonly dirs: DirCache;
  readonly durability: Durability;
  readonly events: EventBus;
  /** Aborts lock waits (shutdown). */
  readonly signal: AbortSignal;
  /** Jobs that may still join the batch (in a stage or waiting for one): 0 closes the window at once. */
  readonly busy: () => number;
  /** @default 256 */
  readonly maxFiles?: number;
  /** Longest a batch stays open for more files while others are busy. @default 10 */
  readonly windowMs?: number;
}

/** A committed result: its durable record, and how many outputs were left as they were (output.conflict: keep). */
export interface Committed {
  readonly record: FileRecord;
  readonly skipped: number;
}

interface Pending {
  readonly plan: Plan;
  resolve(committed: Committed): void;
  reject(err: unknown): void;
}

/**
 * Group commit of replace-mode results: many inputs share one data flush per file system, one flush of every folder
 * their outputs are renamed into, one durable state-store transaction for all their records, then one flush of the
 * folders their disposal changed and one transaction marking them disposed. For every input of a batch the order of
 * the single-file protocol holds: data durable → (under the locks of each of its output paths, its previous outputs and
 * its marker, taken in one sorted order) input re-checked → conflicts settled → old marker removed, durably → renames →
 * entries durable → record durable (with the finish it owes) → stale outputs removed, marker written, durably → finish
 * cleared → locks released → input disposed → disposal durable → disposal recorded. A crash anywhere converges at the
 * next start: before the record the input is redone, after it recovery finishes what the record says is owed.
 *
 * A batch never holds two inputs that share a lock key (the later waits for the next batch, so output paths are
 * settled in order). It closes when it holds `maxFiles`, when `windowMs` has passed, or at once when no other job could
 * join it. One batch flushes at a time. Bounded: callers are the jobs in flight, each waiting for its own result.
 */
export class GroupCommit {
  readonly #o: GroupCommitOptions;
  readonly #max: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing = false;

  constructor(options: GroupCommitOptions) {
    this.#o = options;
    this.#max = options.maxFiles ?? 256;
  }

  /** Publishes one result; resolves once its input is disposed of (or that failed, reported). */
  async commit(item: CommitItem): Promise<Committed> {
    const plan = await planOf(item, this.#o.store);
    return new Promise((resolve, reject) => {
      this.#pending.push({ plan, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#flushing || this.#pending.length === 0) return;
    if (this.#pending.length >= this.#max || this.#o.busy() === 0) {
      this.#start();
      return;
    }
    this.#timer ??= setTimeout(() => this.#start(), this.#o.windowMs ?? 10);
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#flushing || this.#pending.length === 0) return;
    this.#flushing = true;
    const batch = this.#take();
    // Results left out of a full batch, or for keys the batch holds, were ready already: the next batch goes at once.
    const carried = this.#pending.length > 0;
    void this.#flush(batch).finally(() => {
      this.#flushing = false;
      if (carried) this.#start();
      else this.#schedule();
    });
  }

  /** Up to `maxFiles` pending results, in order, of which no two share a lock key. */
  #take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const keys = new Set<string>();
    for (const p of this.#pending) {
      if (batch.length >= this.#max || p.plan.keys.some((k) => keys.has(k))) rest.push(p);
      else {
        batch.push(p);
        for (const k of p.plan.keys) keys.add(k);
      }
    }
    this.#pending = rest;
    return batch;
  }

  async #flush(batch: Pending[]): Promise<void> {
    let releases: Release[] = [];
    try {
      for (const _ of batch) crashPoint('after-temp-write');
      await this.#o.durability.files(batch.flatMap((p) => unsynced(p.plan)));
      for (const _ of batch) crashPoint('after-fsync');
      releases = await this.#lock(batch);
      for (const _ of batch) crashPoint('after-lock');
      await this.#confirm(batch);
      const placed = await publishAll(batch, this.#o);
      await this.#o.durability.dirs(placed.flatMap(({ outputs }) => outputs.map((o) => path.dirname(o))));
      const records = await Promise.all(placed.map(async ({ p, outputs }) =>
        doneRecord(p.plan.item.job, outputs, p.plan.item.attempts, await finishOwed(p.plan, outputs, this.#o.store))));
      await this.#confirmPlaced(placed.map(({ p }) => p));
      await this.#o.store.putAll(records);
      for (const _ of placed) crashPoint('after-record');
      await this.#finish(placed.map(({ p }, n) => ({ record: records[n]!, root: p.plan.item.job.pipeline.output.dir })));
      releaseAll(releases);
      for (const { p: { plan: { item: { job, target } } } } of placed) {
        this.#o.events.emit({ type: 'committed', pipeline: job.pipeline.name, path: job.relPath, output: outputOf(target) });
      }
      await disposeBatch(placed.map(({ p }, n) => ({ job: p.plan.item.job, record: records[n]! })), this.#o);
      for (const [n, { p }] of placed.entries()) p.resolve({ record: records[n]!, skipped: p.plan.skipped });
    } catch (err) {
      releaseAll(releases);
      for (const p of batch) p.reject(err);
    }
  }

  /** Takes every lock key of the batch, in one sorted order (no two batches or commits can deadlock). */
  async #lock(batch: readonly Pending[]): Promise<Release[]> {
    const started = performance.now();
    const release = await this.#o.locks.acquireAll(batch.flatMap((p) => p.plan.keys), { signal: this.#o.signal });
    const waitMs = performance.now() - started;
    for (const { plan: { item: { job, target } } } of batch) {
      this.#o.events.emit({ type: 'lock-wait', pipeline: job.pipeline.name, path: job.relPath, output: outputOf(target), waitMs });
    }
    return [release];
  }

  /** confirmHeld for the whole batch, just before the renames: all or none go on. */
  #confirm(batch: readonly Pending[]): Promise<void> {
    return confirmHeld(batch.map((p) => p.plan.item.job), batch.flatMap((p) => p.plan.keys), this.#o.locks);
  }

  /**
   * The locks again, after the renames: one lost since the first check (a pause right there) may have let another node's
   * newer commit be overwritten by these renames. Nothing is recorded then, and the inputs' records are removed, so
   * the next scan processes them again and the newest version's output comes back (outputs are deterministic).
   */
  async #confirmPlaced(batch: readonly Pending[]): Promise<void> {
    try {
      await confirmLocks(batch.flatMap((p) => p.plan.keys), this.#o.locks);
    } catch (err) {
      // A folder output's intent (written before its renames) already has it redone, and owes the removals.
      const files = batch.filter((p) => p.plan.item.target.kind === 'file');
      await Promise.all(files.map(({ plan: { item: { job } } }) => this.#o.store.delete(job.pipeline.name, job.relPath)));
      throw err;
    }
  }

  /** Does what the records owe (stale outputs, markers; `root` is their output.dir) and clears it in one transaction. */
  async #finish(done: readonly { record: FileRecord; root: string }[]): Promise<void> {
    const owing = done.filter(({ record }) => record.finish != null);
    if (owing.length === 0) return;
    await runFinishes(owing.map(({ record, root }) => ({ finish: record.finish!, root })), this.#o.dirs, (d) => this.#o.durability.dirs(d));
    await this.#o.store.markAllFinished(owing.map(({ record }) => record));
  }
}

/** The output file, or the output folder, of a target: what events name. */
function outputOf(target: CommitItem['target']): string {
  return target.kind === 'file' ? target.final : target.dir;
}

/** The temp files of a plan that its stage did not fsync. */
function unsynced(plan: Plan): string[] {
  const { result } = plan.item;
  if (result.kind === 'file') return result.durable ? [] : [result.temp];
  return plan.moves.map((m) => m.temp);
}

function releaseAll(releases: readonly Release[]): void {
  for (const release of releases) release();
}
