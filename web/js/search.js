// Search results (/api/search): a path substring across pending, in flight, failures and recent results.
import { h } from './dom.js';
import { count, duration, time } from './format.js';
import { failuresTable } from './failures.js';
import { inFlightTable } from './inflight.js';
import { fileLink } from './links.js';
import { pendingTable } from './pending.js';
import { table } from './table.js';

const recentColumns = [
  { label: 'File' }, { label: 'Pipeline' }, { label: 'Outcome' }, { label: 'At' }, { label: 'Took', cls: 'num' },
  { label: 'Outputs' },
];

/** The recent-results table: each output links to its own explanation. */
function recentTable(items, caption) {
  const rows = items.map((r) => [
    fileLink(r.pipeline, r.path), r.pipeline, h('span', { class: `outcome-${r.outcome}` }, r.outcome), time(r.at),
    duration(r.durationMs), r.outputs.length === 0 ? '–' : h('ul', { class: 'plain' }, r.outputs.map((o) => h('li', {}, fileLink(null, o)))),
  ]);
  return table({ caption, columns: recentColumns, rows, empty: 'No recent results.' });
}

function part(title, q, list, render) {
  const more = list.total > list.items.length ? `, the first ${count(list.items.length)} shown` : '';
  const id = `found-${title.toLowerCase().replace(/ /g, '-')}`;
  return h('section', { class: 'search-part', 'aria-labelledby': id },
    h('h3', { id }, `${title}: ${count(list.total)}`),
    render(list.items, `${title} whose path contains “${q}”${more}`));
}

/** The four result lists of one /api/search answer. */
export function searchResults(data) {
  const total = data.pending.total + data.inFlight.total + data.failures.total + data.recent.total;
  return [
    h('p', { class: 'lead' }, `${count(total)} ${total === 1 ? 'match' : 'matches'} for “${data.q}”.`),
    part('Pending', data.q, data.pending, pendingTable),
    part('In flight', data.q, data.inFlight, (items, caption) => inFlightTable(items, items.length, caption)),
    part('Failures', data.q, data.failures, (items, caption) => failuresTable(items, caption)),
    part('Recent results', data.q, data.recent, recentTable),
  ];
}
