// Jobs in flight: each file's stage (which of how many), attempt and age; status lists at most 200, oldest first.
import { count, duration } from './format.js';
import { fileLink } from './links.js';
import { table } from './table.js';

/** `gzip (1 of 2)`, `commit`, `waiting to retry`; `, waiting` when the job waits for a worker or a lock. */
function stageText(job) {
  if (job.stage === 'retry-wait') return 'waiting to retry';
  if (job.stage === 'commit' || job.stageIndex > job.stageCount) return 'commit';
  return `${job.stage} (${job.stageIndex} of ${job.stageCount})${job.waiting ? ', waiting' : ''}`;
}

const columns = [
  { label: 'File' }, { label: 'Pipeline' }, { label: 'Stage' }, { label: 'Attempt', cls: 'num' }, { label: 'Age', cls: 'num' },
];

/** A table of in-flight jobs (status.inFlight or a search's inFlight), `total` of them in all. */
export function inFlightTable(jobs, total, caption = 'Jobs in flight, oldest first') {
  const rows = jobs.map((j) => [fileLink(j.pipeline, j.path), j.pipeline, stageText(j), String(j.attempt), duration(j.ageMs)]);
  const shown = total > jobs.length ? ` (the oldest ${count(jobs.length)} of ${count(total)})` : '';
  return table({ caption: `${caption}${shown}`, columns, rows, empty: 'Nothing in flight.' });
}
