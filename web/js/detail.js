// File detail (/api/explain): what sluice did, does or would do with one path, as a timeline, its outputs (each a link
// to its own explanation), and per pipeline its state, record, error and where the input is now.
import { h } from './dom.js';
import { duration, time } from './format.js';
import { fileLink } from './links.js';

const stateText = {
  settling: 'settling (waiting for writes to stop)', queued: 'queued', running: 'being processed', unchanged: 'unchanged',
  done: 'processed', changed: 'changed since it was processed: will be processed again', failed: 'failed',
  new: 'new: not processed yet', waiting: 'waiting for its ready marker', unknown: 'not there, no record',
};

function field(label, ...value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, ...value));
}

function liveText(live) {
  if (live.state === 'queued') return `queued${live.position ? `, number ${live.position} in line` : ''}`;
  if (live.state === 'running') return `running ${live.stage ?? ''}${live.attempt ? `, attempt ${live.attempt}` : ''}`;
  return `${live.state} for ${duration(live.ageMs)}`;
}

/** One pipeline's view of the path as its input. */
function asInput(i) {
  const r = i.record;
  return h('section', { class: 'detail-part' },
    h('h3', {}, `In pipeline ${i.pipeline}`),
    h('dl', { class: 'facts' },
      field('State', h('span', { class: `outcome-${i.state}` }, stateText[i.state] ?? String(i.state))),
      i.live ? field('Live', liveText(i.live)) : null,
      i.location ? field('Input is now at', i.location.path, i.location.exists ? '' : ' (gone)') : null,
      i.location?.sidecar ? field('Failure sidecar', i.location.sidecar) : null,
      r ? field('Last result', `${r.status === 'done' ? 'processed' : r.status} at `, time(r.at), `, attempt ${r.attempts}`) : null,
      r?.error ? field('Error', h('code', {}, r.error.code), ` ${r.error.message}`, r.stage ? ` (stage ${r.stage})` : '') : null,
      r?.error?.kind === 'transient' ? field('Retry', 'transient: the next run or rescan tries it again by itself') : null,
      r && !r.currentVersion ? field('Pipeline version', 'produced by an older pipeline configuration') : null,
      i.missingOutput ? field('Missing output', i.missingOutput, ': it will be processed again') : null,
      i.marker ? field('Ready marker', `waits for ${i.marker}`) : null));
}

/** Each `stage` step's place in its run (`1 of 2`): counted from the run's `started`, of `stageCount(pipeline)`. */
function stagePlaces(steps, stageCount) {
  const places = new Map();
  let n = 0;
  for (const t of steps) {
    if (t.step === 'started' || t.step === 'retry') n = 0;
    if (t.step !== 'stage') continue;
    n += 1;
    const of = stageCount(t.pipeline);
    if (of) places.set(t, ` (${n} of ${of})`);
  }
  return places;
}

function timeline(steps, stageCount) {
  if (steps.length === 0) return h('p', { class: 'empty' }, 'The daemon holds no timeline for this file (not seen since it started, or too long ago).');
  const places = stagePlaces(steps, stageCount);
  return h('ol', { class: 'timeline' }, steps.map((t) => h('li', { class: `step-${t.step}` },
    time(t.at), ' ', h('span', { class: 'step' }, t.step), t.stage ? ` ${t.stage}${places.get(t) ?? ''}` : '',
    t.durationMs !== undefined && t.durationMs !== null ? ` took ${duration(t.durationMs)}` : '',
    t.detail ? h('span', { class: 'step-detail' }, ` ${t.detail}`) : '')));
}

function linksList(items, empty) {
  if (items.length === 0) return h('p', { class: 'empty' }, empty);
  return h('ul', { class: 'plain' }, items.map((item) => h('li', {}, item)));
}

/**
 * The detail of one /api/explain answer for `route` ({ path, pipeline }); `stageCount(pipeline)` is how many stages
 * it has (from the status), or null when unknown.
 */
export function fileDetail(data, route, stageCount = () => null) {
  const e = data.explanation;
  const inputs = e.inputs.filter((i) => i.matches && (route.pipeline === null || i.pipeline === route.pipeline));
  const notInputs = e.inputs.filter((i) => !i.matches && i.excludedBy).map((i) => `${i.pipeline}: ${i.excludedBy}`);
  return [
    h('p', { class: 'path' }, h('span', { class: 'path-text' }, e.path), e.exists ? '' : ' (does not exist now)'),
    inputs.map(asInput),
    h('h3', {}, 'Timeline'), timeline(data.timeline, stageCount),
    h('h3', {}, 'Outputs'), linksList(data.outputs.map((o) => fileLink(null, o)), 'No outputs recorded.'),
    e.outputOf.length > 0 ? [h('h3', {}, 'Output of'), linksList(e.outputOf.map((o) =>
      [fileLink(o.pipeline, o.relPath), ` in pipeline ${o.pipeline}, at `, time(o.at), o.currentVersion ? '' : ' (older pipeline version)']), '')] : null,
    e.moved.length > 0 ? [h('h3', {}, 'Moved here by sluice'), linksList(e.moved.map((m) =>
      [`${m.as} input `, fileLink(m.pipeline, m.relPath), ` of pipeline ${m.pipeline}`]), '')] : null,
    inputs.length === 0 && notInputs.length > 0 ? [h('h3', {}, 'Not an input'), linksList(notInputs, '')] : null,
  ];
}
