// The dashboard's entry point: routes the location hash to a view, feeds every view each status from the live stream
// (or one GET /api/status at start and on resume), and keeps the connection state on screen.
import { getJson } from './api.js';
import { byId, replace } from './dom.js';
import { count, time } from './format.js';
import { Live } from './live.js';
import { href, parseRoute } from './router.js';
import { renderSummary } from './summary.js';
import { failuresView } from './view-failures.js';
import { overviewView } from './view-overview.js';
import { fileView, searchView } from './view-search.js';

const connectionText = {
  connecting: 'Connecting…', live: 'Live', paused: 'Paused', disconnected: 'Disconnected, reconnecting…',
};

let latest = null;
let revision = null;
const views = { overview: overviewView(), failures: failuresView(() => latest), search: searchView(), file: fileView(() => latest) };
let route = null;

/** Renders one status: the strip, the shown view, and the lists whose revision moved. */
function onStatus(status) {
  const before = revision;
  latest = status;
  revision = status.revision;
  const changed = {
    pending: before !== null && before.pending !== revision.pending,
    failures: before !== null && before.failures !== revision.failures,
    recent: before !== null && before.recent !== revision.recent,
  };
  renderSummary(status);
  byId('nav-failed').textContent = status.totals.failed > 0 ? `(${count(status.totals.failed)})` : '';
  replace(byId('updated'), 'Updated ', time(new Date().toISOString()));
  byId('page-error').textContent = '';
  if (route !== null) views[route.view].update(status, changed);
}

/** Shows the view the hash names; `focus` moves the keyboard focus to its heading (after a user's navigation). */
function show(focus) {
  const next = parseRoute(location.hash);
  if (route !== null) views[route.view].leave();
  route = next;
  for (const name of Object.keys(views)) byId(`view-${name}`).hidden = name !== route.view;
  for (const name of ['overview', 'failures']) {
    const link = byId(`nav-${name}`);
    if (name === route.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  views[route.view].enter(route);
  if (latest !== null) views[route.view].update(latest, { pending: false, failures: false, recent: false });
  if (focus) byId(`h-${route.view}`).focus();
}

async function fetchStatus() {
  try {
    onStatus(await getJson('/api/status'));
  } catch (err) {
    byId('page-error').textContent = `Could not load the status: ${err.message}`;
  }
}

const live = new Live({
  url: '/api/events',
  onStatus,
  onState(state) {
    byId('connection').textContent = connectionText[state];
    byId('connection').className = `connection connection-${state}`;
  },
});

function wire() {
  const pause = byId('pause');
  pause.addEventListener('click', () => {
    const paused = !live.paused;
    pause.setAttribute('aria-pressed', String(paused));
    live.setPaused(paused);
    if (!paused) void fetchStatus();
  });
  document.addEventListener('visibilitychange', () => {
    live.setHidden(document.hidden);
    if (!document.hidden && !live.paused) void fetchStatus();
  });
  window.addEventListener('hashchange', () => show(true));
  const searchForm = byId('search-form');
  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = /** @type {HTMLInputElement} */ (byId('search-q')).value.trim();
    location.hash = q ? href({ view: 'search', q }) : href({ view: 'overview' });
  });
  byId('failures-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const fq = /** @type {HTMLInputElement} */ (byId('failures-q')).value.trim();
    location.hash = href({ view: 'failures', fq });
  });
}

wire();
// The first status before the first view: the views' lists then know the pipelines' stages and whether to offer actions.
void fetchStatus().then(() => {
  show(false);
  live.start();
});
