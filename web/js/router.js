// The location hash is the page's address: every view can be linked to and survives a reload.
//   #q=<text>                        search results
//   #path=<path>[&pipeline=<name>]   file detail (a relative path with its pipeline, or any absolute path)
//   #view=failures[&fq=<text>]       failures, filtered by a path substring
//   anything else                    the overview

/**
 * @typedef {{ view: 'overview' } | { view: 'failures', fq: string } | { view: 'search', q: string }
 *   | { view: 'file', path: string, pipeline: string | null }} Route
 */

/** The route a hash names. @param {string} hash e.g. location.hash @returns {Route} */
export function parseRoute(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const q = params.get('q');
  if (q !== null && q !== '') return { view: 'search', q };
  const path = params.get('path');
  if (path !== null && path !== '') return { view: 'file', path, pipeline: params.get('pipeline') || null };
  if (params.get('view') === 'failures') return { view: 'failures', fq: params.get('fq') ?? '' };
  return { view: 'overview' };
}

/** The hash (with its #) that names a route. @param {Route} route @returns {string} */
export function href(route) {
  const params = new URLSearchParams();
  if (route.view === 'search') params.set('q', route.q);
  else if (route.view === 'file') {
    if (route.pipeline) params.set('pipeline', route.pipeline);
    params.set('path', route.path);
  } else if (route.view === 'failures') {
    params.set('view', 'failures');
    if (route.fq) params.set('fq', route.fq);
  } else return '#view=overview';
  return `#${params.toString()}`;
}

/** The link to a file's detail view. @param {string | null} pipeline @param {string} path */
export function fileHref(pipeline, path) {
  return href({ view: 'file', pipeline, path });
}
