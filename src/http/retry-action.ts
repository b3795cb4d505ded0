import { retryFailure } from '../ops/retry-failure.js';
import type { InputKey } from '../state/store.js';
import type { FailureList } from './failure-list.js';
import { HttpError } from './reply.js';
import { filterOf } from './paging.js';
import type { DashboardSources } from './sources.js';

/** Most failures one request retries (the failures list holds no more). */
const maxPerRequest = 10_000;

/**
 * `POST /api/retry` with `{ items: [{ pipeline, path }] }` or `{ filter: { q, pipeline } }` (every failure listed under
 * that filter): each is retried as `sluice retry` does (ops/retry-failure.ts), one after another; those refused are
 * listed with the reason and change nothing.
 */
export function retryAction(sources: DashboardSources, failures: FailureList) {
  return async (body: unknown) => {
    const keys = await targets(body, failures);
    const skipped: { pipeline: string; path: string; reason: string }[] = [];
    let retried = 0;
    for (const key of keys) {
      const outcome = await retryFailure(sources.config(), sources.store(), key, (p, rel) => sources.requeue(p, rel));
      if (outcome.retried) retried += 1;
      else skipped.push({ pipeline: key.pipeline, path: key.relPath, reason: outcome.reason });
    }
    if (retried > 0) {
      sources.activity.touch('failures');
      sources.activity.touch('pending');
    }
    return { retried, skipped };
  };
}

async function targets(body: unknown, failures: FailureList): Promise<InputKey[]> {
  const b = (body ?? {}) as { items?: unknown; filter?: unknown };
  if (Array.isArray(b.items)) {
    if (b.items.length > maxPerRequest) throw new HttpError(400, `expected at most ${maxPerRequest} items`);
    return b.items.map((item) => {
      const { pipeline, path } = (item ?? {}) as { pipeline?: unknown; path?: unknown };
      if (typeof pipeline !== 'string' || typeof path !== 'string') throw new HttpError(400, 'expected items of { pipeline, path }');
      return { pipeline, relPath: path };
    });
  }
  if (typeof b.filter === 'object' && b.filter !== null) {
    const { q, pipeline } = b.filter as { q?: unknown; pipeline?: unknown };
    if ((q !== undefined && typeof q !== 'string') || (pipeline !== undefined && typeof pipeline !== 'string')) {
      throw new HttpError(400, 'expected filter: { q, pipeline } of strings');
    }
    const keep = filterOf(new URLSearchParams({ ...(q && { q }), ...(pipeline && { pipeline }) }));
    return (await failures.records()).filter((r) => keep({ pipeline: r.pipeline, path: r.relPath }))
      .map((r) => ({ pipeline: r.pipeline, relPath: r.relPath }));
  }
  throw new HttpError(400, 'expected { items: [{ pipeline, path }] } or { filter: { q, pipeline } }');
}
