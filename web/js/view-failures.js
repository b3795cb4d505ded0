// The failures view: a filter kept in the URL (#view=failures&fq=…), pages from /api/failures, Retry controls when the
// daemon allows actions.
import { Loader } from './api.js';
import { byId, replace } from './dom.js';
import { failuresPage } from './failures.js';
import { retryActions } from './retry.js';
import { errorText } from './view-overview.js';

/**
 * @param {() => any} status the latest status (whether actions are allowed, the CSRF token)
 * @returns {import('./view-overview.js').ViewController}
 */
export function failuresView(status) {
  let page = 1;
  let filter = '';
  let last = null;
  let actionsShown = false;
  const target = byId('failures');
  const url = () => `/api/failures?page=${page}${filter ? `&q=${encodeURIComponent(filter)}` : ''}`;
  const go = (to) => {
    page = to;
    loader.load(url());
  };
  const actions = retryActions({
    filter: () => filter, csrf: () => status()?.csrf ?? null, message: byId('failures-message'), done: () => loader.load(url()),
  });
  const render = () => {
    actionsShown = status()?.actions === true;
    replace(target, failuresPage(last, filter, actionsShown ? actions : null, go));
  };
  const loader = new Loader((data) => {
    // The daemon clamps the page to the pages there are (the list shrank as failures were retried): follow it.
    page = data.page;
    last = data;
    render();
  }, (err) => replace(target, errorText(err)));
  return {
    enter(route) {
      if (route.fq !== filter) page = 1;
      filter = route.fq;
      /** @type {HTMLInputElement} */ (byId('failures-q')).value = filter;
      go(page);
    },
    leave: () => loader.stop(),
    update(s, changed) {
      if (changed.failures) loader.load(url());
      else if (last !== null && (s.actions === true) !== actionsShown) render();
    },
  };
}
