// Pending files (settling, waiting for a ready marker, queued), oldest first, 100 a page from /api/pending.
import { duration } from './format.js';
import { fileLink } from './links.js';
import { pager } from './pager.js';
import { table } from './table.js';

const stateText = { settling: 'settling', waiting: 'waiting for its ready marker', queued: 'queued' };

const columns = [{ label: 'File' }, { label: 'Pipeline' }, { label: 'State' }, { label: 'Waiting for', cls: 'num' }];

/** A table of pending items (from /api/pending or a search). */
export function pendingTable(items, caption) {
  const rows = items.map((p) => [fileLink(p.pipeline, p.path), p.pipeline, stateText[p.state] ?? p.state, duration(p.ageMs)]);
  return table({ caption, columns, rows, empty: 'Nothing pending.' });
}

/** One page of /api/pending with its pager; `go(page)` asks for another page. */
export function pendingPage(data, go) {
  return [
    pendingTable(data.items, `Pending files, oldest first (page ${data.page} of ${Math.max(1, data.pages)})`),
    data.total > 0 ? pager('pending', data, 'pending files', go) : null,
  ];
}

