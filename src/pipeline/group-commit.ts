import path from 'node:path';
import { crashPoint } from '../core/fault.js';
import type { KeyedLock } from '../core/keyed-lock.js';
import type { Release } from '../core/semaphore.js';
import { SluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import type { FileRecord, StateStore } from '../state/store.js';
import { assertInputUnchanged, doneRecord } from './commit.js';
import { disposeFailed, disposeInput } from './dispose.js';
import type { Durability } from './durability.js';
import { renameInto, type DirCache } from './files.js';
import type { Job } from './job.js';

/** One result ready to be published: the last stage's temp file and where it goes (replace mode). */
export interface CommitItem {
  readonly job: Job;
  readonly temp: string;
  /** The temp file is already fsynced. */
  readonly durable: boolean;
  readonly final: string;
  readonly attempts: number;
}

export interface GroupCommitOptions {
  readonly store: StateStore;
  readonly locks: KeyedLock<string>;
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

interface Pending extends CommitItem {
  resolve(record: FileRecord): void;
  reject(err: unknown): void;
}

/**
 * Group commit of replace-mode results: many files share one data flush per file system, one flush of every folder
 * they are renamed into, one durable state-store transaction for all their records, then one flush of the folders
 * their disposal changed and one transaction marking them disposed. The order of the single-file protocol holds for
 * every file of a batch: data durable → (under the output's lock) input re-checked → rename → entry durable → record
 * durable → lock released → input disposed → disposal durable → disposal recorded. A crash anywhere converges as a crash
 * of a single commit does.
 *
 * A batch closes when it holds `maxFiles`, when `windowMs` has passed, or at once when no other job could join it (a
 * lone file commits within a few milliseconds). One batch flushes at a time; the next gathers meanwhile. Bounded:
 * callers are the jobs in flight, each waiting for its own result.
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

  /** Publishes one result; resolves with its durable record once its input is disposed of (or that failed, reported). */
  commit(item: CommitItem): Promise<FileRecord> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ...item, resolve, reject });
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
    const batch = this.#pending.splice(0, this.#max);
    void this.#flush(batch).finally(() => {
      this.#flushing = false;
      this.#schedule();
    });
  }

  async #flush(batch: Pending[]): Promise<void> {
    let releases: Release[] = [];
    try {
      for (const _ of batch) crashPoint('after-temp-write');
      await this.#o.durability.files(batch.filter((i) => !i.durable).map((i) => i.temp));
      for (const _ of batch) crashPoint('after-fsync');
      releases = await this.#lock(batch);
      const renamed = await this.#publish(batch);
      await this.#o.durability.dirs(renamed.map((i) => path.dirname(i.final)));
      const records = renamed.map((i) => doneRecord(i.job, i.final, i.attempts));
      this.#o.store.putAll(records);
      for (const _ of renamed) crashPoint('after-record');
      releaseAll(releases);
      for (const i of renamed) this.#o.events.emit({ type: 'committed', pipeline: i.job.pipeline.name, path: i.job.relPath, output: i.final });
      await this.#dispose(renamed, records);
      renamed.forEach((item, n) => item.resolve(records[n]!));
    } catch (err) {
      releaseAll(releases);
      for (const item of batch) item.reject(err);
    }
  }

  /** Takes every output path's lock, in one sorted order (no two batches or commits can deadlock). */
  async #lock(batch: readonly Pending[]): Promise<Release[]> {
    const releases: Release[] = [];
    const started = performance.now();
    try {
      for (const final of [...new Set(batch.map((i) => i.final))].sort()) {
        releases.push(await this.#o.locks.acquire(final, { signal: this.#o.signal }));
      }
    } catch (err) {
      releaseAll(releases);
      throw err;
    }
    const waitMs = performance.now() - started;
    for (const i of batch) this.#o.events.emit({ type: 'lock-wait', pipeline: i.job.pipeline.name, path: i.job.relPath, output: i.final, waitMs });
    return releases;
  }

  /**
   * Re-checks each input and renames its result into place; a file that fails (it changed, vanished, or the rename
   * failed) is rejected alone and left out of the rest. Results for one output path go in batch order.
   */
  async #publish(batch: readonly Pending[]): Promise<Pending[]> {
    const byFinal = new Map<string, Pending[]>();
    for (const item of batch) byFinal.set(item.final, [...(byFinal.get(item.final) ?? []), item]);
    const done = new Set<Pending>();
    await Promise.all([...byFinal.values()].map(async (items) => {
      for (const item of items) {
        try {
          await assertInputUnchanged(item.job);
          await renameInto(item.temp, item.final, this.#o.dirs);
          done.add(item);
        } catch (err) {
          item.reject(err);
        }
      }
    }));
    for (const _ of done) crashPoint('after-rename');
    return batch.filter((i) => done.has(i));
  }

  /** Disposes of every input, makes that durable, and records it in one transaction; a failure is reported, not fatal. */
  async #dispose(items: readonly Pending[], records: readonly FileRecord[]): Promise<void> {
    const ctx = { store: this.#o.store, events: this.#o.events, dirs: this.#o.dirs };
    const moved = await Promise.all(items.map((item, n) => disposeInput(item.job, records[n]!, ctx).then(
      (folders) => (folders === null ? null : { job: item.job, folders }),
      (err: unknown) => {
        if (err instanceof SluiceError && err.kind === 'fatal') throw err;
        disposeFailed(item.job, err, this.#o.events);
        return null;
      })));
    const disposed = moved.filter((m): m is { job: Job; folders: string[] } => m !== null);
    if (disposed.length === 0) return;
    try {
      await this.#o.durability.dirs(disposed.flatMap((m) => m.folders));
    } catch (err) {
      for (const m of disposed) disposeFailed(m.job, err, this.#o.events);
      return;
    }
    for (const _ of disposed) crashPoint('after-dispose');
    this.#o.store.markAllDisposed(disposed.map((m) => ({ pipeline: m.job.pipeline.name, relPath: m.job.relPath })));
  }
}

function releaseAll(releases: readonly Release[]): void {
  for (const release of releases) release();
}
