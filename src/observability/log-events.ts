import type { EngineEvent } from './events.js';
import type { Logger } from './logger.js';

export type Level = 'error' | 'warn' | 'info' | 'debug';
export type Line = [Level, string, Record<string, unknown>?];

/** The log line for each engine event; file lifecycle steps are debug, outcomes info and above. */
export function logLineFor(e: EngineEvent): Line | null {
  switch (e.type) {
    case 'seen': return ['debug', `seen via ${e.via}`];
    case 'settling': return ['debug', `settling, eligible in ${e.waitMs} ms`];
    case 'queued': return ['debug', 'queued'];
    case 'started': return ['debug', 'started', { attempt: e.attempt }];
    // Metrics and live status only: the story already has `started` and each `stage … done`.
    case 'stage-start': case 'lock-wait': return null;
    case 'stage': return ['debug', `stage ${e.stage} done`, { stage: e.stage, attempt: e.attempt, durationMs: e.durationMs }];
    case 'committed': return ['debug', `committed ${e.output}`];
    case 'disposed': return ['debug', e.disposition === 'move' ? `input moved to ${e.to}` : 'input deleted'];
    case 'processed': return ['info', `processed → ${e.outputs.join(', ')}`, { durationMs: e.durationMs }];
    case 'unchanged': return ['debug', 'unchanged, up to date'];
    case 'failed':
      return ['error', e.previously ? `failed earlier and unchanged since: ${e.message}` : `failed after ${e.attempts} attempt(s): ${e.message}`,
        { stage: e.stage, attempt: e.attempts, code: e.code, ...(e.errorClass && { errorClass: e.errorClass }) }];
    case 'retry':
      return ['warn', `attempt ${e.attempt} failed, retrying in ${e.delayMs} ms: ${e.message}`,
        { stage: e.stage, attempt: e.attempt, code: e.code, errorClass: 'transient' }];
    // A file that vanished before it was processed is skipped quietly (the contract): an info line each time a writer
    // renames its temp file, or after sluice moved an input it was about to look at again, would only be noise.
    case 'skipped': return [e.code === 'INPUT_VANISHED' ? 'debug' : 'info', `skipped: ${e.reason}`, { code: e.code }];
    case 'awaiting-marker': return ['debug', `waiting for its ready marker ${e.marker}`];
    case 'changed': return ['info', 'input changed while it was processed; it will be processed again'];
    case 'scan-done': return ['info', `${e.via} of ${e.pipeline} done: ${e.files} file(s) looked at`, { durationMs: e.durationMs }];
    case 'found-by-rescan': return ['info', 'found by rescan (the watcher missed it)'];
    case 'watching': return ['info', `watching ${e.dirs.join(', ')}`];
    case 'watcher-error': return ['warn', `watcher error: ${e.message}; rescanning`, { code: e.code }];
    case 'watch-fallback':
      return ['warn', `cannot watch ${e.dir} (${e.code}: ${e.code === 'ENOSPC' ? 'inotify watch limit reached, see ' +
        'fs.inotify.max_user_watches' : 'too many open files'}); polling ${e.all ? 'every input folder' :
        `${e.folders} unwatched folder(s)`} every ${e.intervalMs} ms instead`, { code: e.code }];
    case 'overflow': return ['warn', `more than ${e.pending} files pending; further events are dropped and a rescan will find them`];
    case 'recovered': return ['info', `recovered ${e.what}: ${e.path}`];
    case 'warning': return ['warn', e.message, { code: e.code }];
    case 'cluster': return [e.level, e.message, { code: e.code }];
    case 'draining': return [e.inFlight > 0 ? 'info' : 'debug', `stopping: ${e.inFlight} job(s) in flight, waiting up to ${e.graceMs} ms`];
    case 'aborted': return ['warn', 'aborted by shutdown; the input is left for next time'];
    case 'listening': return [e.what === 'control' ? 'debug' : 'info', `${e.what} listening on ${e.address}`];
  }
}

/** Subscribes a logger to engine events. */
export function logEvents(logger: Logger): (event: EngineEvent) => void {
  const debug = new Set<EngineEvent['type']>(['seen', 'settling', 'queued', 'started', 'stage-start', 'lock-wait', 'stage', 'committed', 'disposed', 'unchanged', 'awaiting-marker']);
  return (event) => {
    // The file lifecycle's debug steps are most events: skip building their lines unless debug is on.
    if (debug.has(event.type) && !logger.isLevelEnabled('debug')) return;
    const line = logLineFor(event);
    if (line === null) return;
    const [level, message, fields] = line;
    if (!logger.isLevelEnabled(level)) return;
    const context: Record<string, unknown> = {};
    if ('pipeline' in event) context['pipeline'] = event.pipeline;
    if ('path' in event && event.path !== undefined) context['path'] = event.path;
    logger.log(level, message, { ...context, ...fields });
  };
}
