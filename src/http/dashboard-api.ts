import path from 'node:path';
import { explain } from '../ops/explain.js';
import { ClusterView } from './cluster-view.js';
import { FailureList } from './failure-list.js';
import { pendingItems } from './pending-list.js';
import { HttpError } from './reply.js';
import { retryAction } from './retry-action.js';
import { filterOf, pageOf } from './paging.js';
import type { DashboardSources } from './sources.js';
import { dashboardStatus } from './status-view.js';

/** Items of each list a search returns (with each list's total). */
const searchLimit = 100;

/**
 * The dashboard's JSON API: `GET /api/<name>` handlers and the `POST /api/retry` action. `actions` is the listener's
 * own setting (a reload does not change it), so the page offers what the listener allows.
 */
export function dashboardApi(sources: DashboardSources, access: { readonly csrf: string; readonly actions: boolean }) {
  const failures = new FailureList(sources);
  const cluster = new ClusterView(() => sources.config());
  const status = async () => dashboardStatus(sources, { ...access, cluster: cluster.latest() });
  const api = {
    status,
    pending: async (q: URLSearchParams) => pageOf(pendingItems(sources, filterOf(q)), Number(q.get('page') ?? 1)),
    failures: async (q: URLSearchParams) => {
      const keep = filterOf(q);
      const page = pageOf((await failures.records()).filter((r) => keep({ pipeline: r.pipeline, path: r.relPath })), Number(q.get('page') ?? 1));
      return { ...page, items: failures.items(page.items) };
    },
    search: async (q: URLSearchParams) => {
      if ((q.get('q') ?? '').trim() === '') throw new HttpError(400, 'expected ?q= with part of a path');
      const keep = filterOf(q);
      const first = <T>(items: readonly T[]) => ({ total: items.length, items: items.slice(0, searchLimit) });
      const failed = (await failures.records()).filter((r) => keep({ pipeline: r.pipeline, path: r.relPath }));
      return {
        q: q.get('q'),
        pending: first(pendingItems(sources, keep)),
        inFlight: first((await status()).inFlight.filter((j) => keep(j as { pipeline: string; path: string }))),
        failures: { total: failed.length, items: failures.items(failed.slice(0, searchLimit)) },
        recent: first(sources.activity.outcomes.newestFirst().filter(keep)),
      };
    },
    explain: (q: URLSearchParams) => explainFile(sources, q),
  };
  const actions = { retry: retryAction(sources, failures) };
  return { api, actions, status };
}

/** `?pipeline=&path=` (an input, relative to its folder) or `?path=` (absolute: any path, an output too). */
async function explainFile(sources: DashboardSources, q: URLSearchParams) {
  const config = sources.config();
  const name = q.get('pipeline');
  const given = q.get('path') ?? '';
  if (given === '') throw new HttpError(400, 'expected ?path= (absolute, or relative to the input folder of ?pipeline=)');
  const p = name === null ? undefined : config.pipelines.find((c) => c.name === name);
  if (name !== null && !p) throw new HttpError(404, `no pipeline named ${name}`);
  if (!p && !path.isAbsolute(given)) throw new HttpError(400, 'expected an absolute ?path=, or ?pipeline= with a path relative to its input folder');
  const abs = p ? path.join(p.input.dir, given) : path.normalize(given);
  const explanation = await explain(config, abs, '/', { store: sources.store(), live: (pl, rel) => sources.live(pl, rel) });
  const timeline = explanation.inputs.filter((i) => i.matches && i.relPath !== null)
    .flatMap((i) => sources.activity.timelines.of(i.pipeline, i.relPath!).map((step) => ({ pipeline: i.pipeline, ...step })))
    .sort((a, b) => a.at.localeCompare(b.at));
  const outputs = [...new Set(explanation.inputs.flatMap((i) => i.record?.outputs ?? []))];
  return { explanation, timeline, outputs };
}
