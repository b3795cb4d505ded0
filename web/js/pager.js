import { h } from './dom.js';
import { count } from './format.js';

/**
 * Previous/next controls for a paged answer ({ page, pages, total }): "Page X of Y, N in all". `go(page)` is called
 * with the page asked for. `name` (e.g. `pending`) keys the buttons, so focus stays on them across re-renders.
 */
export function pager(name, { page, pages, total }, noun, go) {
  const last = Math.max(1, pages);
  const button = (label, to, key) => h('button', {
    type: 'button', 'data-key': `${name}-${key}`, disabled: to < 1 || to > last, onclick: () => go(to),
  }, label);
  return h('div', { class: 'pager', role: 'group', 'aria-label': `${noun} pages` },
    button('Previous page', page - 1, 'prev'),
    h('span', { class: 'pager-text' }, `Page ${count(page)} of ${count(last)}, ${count(total)} ${noun} in all`),
    button('Next page', page + 1, 'next'));
}
