// The summary strip at the top of every view: the daemon, its totals, the cluster's nodes; the tab title.
import { byId, h, replace } from './dom.js';
import { count, duration } from './format.js';
import { href } from './router.js';

/** Renders the strip and the title from a /api/status answer. */
export function renderSummary(status) {
  const t = status.totals;
  const failed = h('a', { href: href({ view: 'failures', fq: '' }) }, count(t.failed));
  const items = [
    ['State', h('span', { class: ['state', `state-${status.state}`] }, status.state)],
    ['PID', String(status.pid)],
    ['Uptime', duration(status.uptimeMs)],
    ['Version', status.version],
    ['Processed', count(t.processed)],
    ['Unchanged', count(t.unchanged)],
    ['Failed', t.failed > 0 ? failed : '0'],
    ['Pending', count(t.pending)],
    ['In flight', count(t.inFlight)],
  ];
  replace(byId('summary'),
    h('dl', { class: 'figures' }, items.map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value)))),
    status.cluster ? cluster(status.cluster) : null);
  document.title = t.failed > 0 ? `(${count(t.failed)} failed) sluice dashboard` : 'sluice dashboard';
}

function cluster(c) {
  const nodes = c.nodes.map((n) => h('li', { class: n.alive ? 'node-alive' : 'node-lost' },
    `${n.name}${n.name === c.node ? ' (this node)' : ''}: ${n.alive ? 'alive' : 'lost'}, ${n.host} pid ${n.pid}, `,
    `last beat ${duration(n.beatAgeMs)} ago`));
  const redis = c.redis ? h('span', { class: c.redis === 'up' ? null : 'node-lost' }, `Redis ${c.redis}`) : null;
  return h('div', { class: 'cluster' }, h('h2', { class: 'inline-heading' }, 'Cluster nodes'), h('ul', {}, nodes), redis);
}
