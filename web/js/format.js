// Text for figures, ages and times; every function returns a plain string (or a <time> element) for textContent.
import { h } from './dom.js';

const number = new Intl.NumberFormat('en');

/** `12,345`. @param {number} n */
export function count(n) {
  return number.format(n);
}

/** A duration in words at two units at most: `350 ms`, `12 s`, `3 min 4 s`, `2 h 5 min`, `3 d 4 h`. @param {number} ms */
export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const units = [['d', 86_400], ['h', 3600], ['min', 60], ['s', 1]];
  const parts = [];
  let rest = s;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n} ${unit}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith('0 ')).join(' ');
}

/** A <time> element showing the local time (with the date when not today) and the ISO string as its datetime. */
export function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', {}, String(iso ?? '–'));
  const today = new Date().toDateString() === d.toDateString();
  const text = today ? d.toLocaleTimeString('en-GB') : `${d.toLocaleDateString('en-CA')} ${d.toLocaleTimeString('en-GB')}`;
  return h('time', { datetime: d.toISOString() }, text);
}

