// Failures, newest first, 100 a page from /api/failures, filtered by a path substring; Retry controls exist only when
// the daemon allows actions (status.actions): read-only, the DOM holds no such button at all.
import { h } from './dom.js';
import { count, time } from './format.js';
import { fileLink } from './links.js';
import { pager } from './pager.js';
import { table } from './table.js';

const columns = [
  { label: 'File' }, { label: 'Pipeline' }, { label: 'Stage' }, { label: 'Code' }, { label: 'Reason' },
  { label: 'Attempts', cls: 'num' }, { label: 'Failed at' },
];

/**
 * A table of failures (from /api/failures or a search). With `onRetry`, each row gets a Retry button that calls it
 * with the row's item.
 */
export function failuresTable(items, caption, onRetry = null) {
  const cols = onRetry ? [...columns, { label: 'Action' }] : columns;
  const rows = items.map((f) => {
    const cells = [
      fileLink(f.pipeline, f.path), f.pipeline, f.stage ?? '–', f.code, f.reason, String(f.attempts), time(f.at),
    ];
    if (onRetry) {
      cells.push(h('button', {
        type: 'button', class: 'retry', 'data-key': `retry:${f.pipeline}:${f.path}`,
        'aria-label': `Retry ${f.path}`, onclick: () => onRetry(f),
      }, 'Retry'));
    }
    return cells;
  });
  return table({ caption, columns: cols, rows, empty: 'No failures.' });
}

/**
 * @typedef {object} FailureActions
 * @property {(item: any) => void} retryOne
 * @property {(data: any) => void} retryAll  retries every failure the filter shows (data: the page's answer)
 */

/**
 * One page of /api/failures: the "Retry all N shown" button (with `actions`), the table and its pager.
 * @param {any} data @param {string} filter @param {FailureActions | null} actions @param {(page: number) => void} go
 */
export function failuresPage(data, filter, actions, go) {
  const what = filter ? `Failures whose path contains “${filter}”, newest first` : 'Failures, newest first';
  const all = actions && data.total > 0
    ? h('button', { type: 'button', class: 'retry-all', 'data-key': 'retry-all', onclick: () => actions.retryAll(data) },
      `Retry all ${count(data.total)} shown`)
    : null;
  return [
    all,
    failuresTable(data.items, `${what} (page ${data.page} of ${Math.max(1, data.pages)})`, actions ? actions.retryOne : null),
    data.total > 0 ? pager('failures', data, 'failures', go) : null,
  ];
}
