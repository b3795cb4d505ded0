// The overview: pipelines, in flight and problems straight from each status; pending files paged from /api/pending.
import { Loader } from './api.js';
import { byId, h, replace } from './dom.js';
import { inFlightTable } from './inflight.js';
import { pendingPage } from './pending.js';
import { pipelinesTable } from './pipelines.js';
import { problemsTable } from './problems.js';

/**
 * @typedef {object} ViewController
 * @property {(route: any) => void} enter  the view is shown for `route`: load what it lists
 * @property {() => void} leave  the view is hidden: stop loading
 * @property {(status: any, changed: Record<string, boolean>) => void} update  a new status; `changed` says which
 *   lists' revisions moved (pending, failures, recent) since the last one
 */

/** An error from a loader, shown where the list would be. */
export function errorText(err) {
  return h('p', { class: 'error' }, `Could not load: ${err.message}`);
}

/** @returns {ViewController} */
export function overviewView() {
  let page = 1;
  const target = byId('pending');
  const go = (to) => {
    page = to;
    loader.load(`/api/pending?page=${page}`);
  };
  const loader = new Loader((data) => {
    // The daemon clamps the page to the pages there are (the list shrank as files got processed): follow it.
    page = data.page;
    replace(target, pendingPage(data, go));
  }, (err) => replace(target, errorText(err)));
  return {
    enter: () => go(page),
    leave: () => loader.stop(),
    update(status, changed) {
      replace(byId('pipelines'), pipelinesTable(status.pipelines));
      replace(byId('in-flight'), inFlightTable(status.inFlight, status.inFlightTotal));
      replace(byId('problems'), problemsTable(status.problems));
      if (changed.pending) loader.load(`/api/pending?page=${page}`);
    },
  };
}
