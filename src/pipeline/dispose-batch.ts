import { crashPoint } from '../core/fault.js';
import { SluiceError } from '../errors.js';
import type { EventBus } from '../observability/events.js';
import type { FileRecord, StateStore } from '../state/store.js';
import { disposeFailed, disposeInput } from './dispose.js';
import type { Durability } from './durability.js';
import type { DirCache } from './files.js';
import type { Job } from './job.js';

export interface DisposeBatchContext {
  readonly store: StateStore;
  readonly events: EventBus;
  readonly dirs: DirCache;
  readonly durability: Durability;
}

/**
 * Disposes of many recorded inputs (a group commit's): carries out each disposition, makes every folder that changed
 * durable at once, then records them all disposed in one transaction. A disposal that fails is reported and stays
 * pending (the next scan or start finishes it); only fatal errors throw.
 */
export async function disposeBatch(items: readonly { job: Job; record: FileRecord }[], ctx: DisposeBatchContext): Promise<void> {
  const moved = await Promise.all(items.map(({ job, record }) => disposeInput(job, record, ctx).then(
    (folders) => (folders === null ? null : { job, folders }),
    (err: unknown) => {
      if (err instanceof SluiceError && err.kind === 'fatal') throw err;
      disposeFailed(job, err, ctx.events);
      return null;
    })));
  const disposed = moved.filter((m): m is { job: Job; folders: string[] } => m !== null);
  if (disposed.length === 0) return;
  try {
    await ctx.durability.dirs(disposed.flatMap((m) => m.folders));
  } catch (err) {
    for (const m of disposed) disposeFailed(m.job, err, ctx.events);
    return;
  }
  for (const _ of disposed) crashPoint('after-dispose');
  await ctx.store.markAllDisposed(disposed.map((m) => ({ pipeline: m.job.pipeline.name, relPath: m.job.relPath })));
}
