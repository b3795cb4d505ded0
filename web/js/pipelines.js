// The pipelines table: counts, oldest pending age, the queue's back-pressure bar and the last hour's throughput.
import { h } from './dom.js';
import { count, duration } from './format.js';
import { sparkline } from './sparkline.js';
import { table } from './table.js';

/** Back-pressure bands as in NiFi: fine to 60 % of capacity, a warning to 85 %, then trouble. */
const low = 0.6;
const high = 0.85;

/** The queue as a <meter> (green, amber, red by the bands) and as text: `12 / 1,000 (1 %)`. */
function queueBar(name, { depth, capacity }) {
  const ratio = capacity > 0 ? depth / capacity : 0;
  const band = ratio > high ? 'high' : ratio > low ? 'mid' : 'low';
  const text = `${count(depth)} / ${count(capacity)} (${Math.round(ratio * 100)} %)`;
  return h('span', { class: ['queue', `queue-${band}`] },
    h('meter', {
      min: 0, max: capacity, low: capacity * low, high: capacity * high, optimum: 0, value: depth,
      'aria-label': `queue of ${name}: ${text}`,
    }),
    h('span', { class: 'queue-text' }, text));
}

const columns = [
  { label: 'Pipeline' }, { label: 'Stages' }, { label: 'Processed', cls: 'num' }, { label: 'Unchanged', cls: 'num' },
  { label: 'Failed', cls: 'num' }, { label: 'Pending', cls: 'num' }, { label: 'In flight', cls: 'num' },
  { label: 'Oldest pending', cls: 'num' }, { label: 'Queue' }, { label: 'Last 60 minutes' },
];

/** The table for status.pipelines. */
export function pipelinesTable(pipelines) {
  const rows = pipelines.map((p) => [
    p.name, p.stages.join(' → '), count(p.processed), count(p.unchanged), count(p.failed), count(p.pending),
    count(p.inFlight), p.oldestPendingAgeMs === null ? '–' : duration(p.oldestPendingAgeMs), queueBar(p.name, p.queue),
    sparkline(p.throughput, p.failedPerMinute),
  ]);
  return table({ caption: 'Counts, queue and throughput per pipeline', columns, rows, rowHeader: true, empty: 'No pipelines.' });
}
