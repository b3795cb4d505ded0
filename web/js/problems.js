// Recent problems: the daemon's last 50 warnings and errors (status.problems), newest first.
import { h } from './dom.js';
import { time } from './format.js';
import { fileLink } from './links.js';
import { table } from './table.js';

const columns = [{ label: 'Time' }, { label: 'Level' }, { label: 'Code' }, { label: 'Message' }, { label: 'File' }];

/** The problems table. */
export function problemsTable(problems) {
  const rows = problems.map((p) => [
    time(p.at), h('span', { class: `level-${p.level}` }, p.level), p.code ?? '', p.message,
    p.path ? fileLink(p.pipeline ?? null, p.path) : (p.pipeline ?? ''),
  ]);
  return table({ caption: 'The last warnings and errors, newest first', columns, rows, empty: 'No warnings or errors.' });
}
