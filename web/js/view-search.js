// The search view (#q=…) and the file detail view (#path=…): each one request per route, refreshed as things change.
import { Loader } from './api.js';
import { byId, h, replace } from './dom.js';
import { fileDetail } from './detail.js';
import { searchResults } from './search.js';
import { errorText } from './view-overview.js';

/** @returns {import('./view-overview.js').ViewController} */
export function searchView() {
  const target = byId('search');
  let url = null;
  const loader = new Loader((data) => replace(target, searchResults(data)), (err) => replace(target, errorText(err)));
  return {
    enter(route) {
      /** @type {HTMLInputElement} */ (byId('search-q')).value = route.q;
      byId('h-search').textContent = `Search results for “${route.q}”`;
      loader.load((url = `/api/search?q=${encodeURIComponent(route.q)}`));
    },
    leave() {
      loader.stop();
      /** @type {HTMLInputElement} */ (byId('search-q')).value = '';
    },
    update(_, changed) {
      if (changed.pending || changed.failures || changed.recent) loader.load(url);
    },
  };
}

/** @param {() => any} status the latest status (each pipeline's stages) @returns {import('./view-overview.js').ViewController} */
export function fileView(status) {
  const target = byId('file');
  let route = null;
  let url = null;
  const stageCount = (name) => status()?.pipelines.find((p) => p.name === name)?.stages.length ?? null;
  const loader = new Loader((data) => replace(target, fileDetail(data, route, stageCount)), (err) => replace(target, errorText(err)));
  return {
    enter(r) {
      route = r;
      const query = new URLSearchParams(r.pipeline ? { pipeline: r.pipeline, path: r.path } : { path: r.path });
      replace(target, h('p', { class: 'empty' }, 'Loading…'));
      loader.load((url = `/api/explain?${query}`));
    },
    leave: () => loader.stop(),
    update(status, changed) {
      // A file in flight moves on without any list's revision moving: follow its stages too.
      const busy = status.inFlight.some((j) => j.path === route.path && (route.pipeline === null || j.pipeline === route.pipeline));
      if (busy || changed.pending || changed.failures || changed.recent) loader.load(url);
    },
  };
}
