// A throughput sparkline: per-minute counts as an SVG polyline, failures as a second line when there were any.
import { h, s } from './dom.js';
import { count } from './format.js';

const width = 120;
const height = 24;

function points(values, max) {
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
}

/**
 * A sparkline of `processed` (and `failed`, same layout: per minute, oldest first, the last one this minute) with its
 * sum as text beside it. The SVG is an image whose name says what it shows in words.
 * @param {number[]} processed @param {number[]} failed
 */
export function sparkline(processed, failed = []) {
  const sum = (list) => list.reduce((a, b) => a + b, 0);
  const total = sum(processed);
  const failures = sum(failed);
  const max = Math.max(1, ...processed, ...failed);
  const label = `${count(total)} processed in the last ${processed.length} minutes, at most ${count(Math.max(0, ...processed))}` +
    ` a minute${failures > 0 ? `; ${count(failures)} failed` : ''}`;
  const lines = [s('polyline', { class: 'spark-ok', points: points(processed, max), 'vector-effect': 'non-scaling-stroke' })];
  if (failures > 0) {
    lines.push(s('polyline', { class: 'spark-failed', points: points(failed, max), 'vector-effect': 'non-scaling-stroke' }));
  }
  const image = s('svg', {
    class: 'spark', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label,
  }, s('title', {}, label), lines);
  return h('span', { class: 'spark-cell' }, image, h('span', { class: 'spark-total' }, `${count(total)} / h`));
}
