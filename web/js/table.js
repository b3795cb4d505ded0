import { h } from './dom.js';

/**
 * @typedef {object} Column
 * @property {string} label  header text (a th with scope=col)
 * @property {string} [cls]  class for the header and every cell of the column, e.g. `num` (right-aligned figures)
 */

/**
 * A data table with a caption and column headers. Each row is an array of cells, one per column, each anything h()
 * takes as a child. With `rowHeader`, a row's first cell is a th scope=row. No rows: the `empty` text instead, in a
 * paragraph (a table of nothing helps no one).
 * @param {{ caption: unknown, columns: Column[], rows: unknown[][], empty?: string, rowHeader?: boolean,
 *   cls?: string }} spec
 * @returns {HTMLElement}
 */
export function table({ caption, columns, rows, empty = 'None.', rowHeader = false, cls }) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)));
  const body = rows.map((cells) => h('tr', {}, cells.map((cell, i) => {
    const cellClass = columns[i]?.cls;
    return rowHeader && i === 0 ? h('th', { scope: 'row', class: cellClass }, cell) : h('td', { class: cellClass }, cell);
  })));
  return h('div', { class: 'table-wrap' },
    h('table', { class: cls }, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, body)));
}
