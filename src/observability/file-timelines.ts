import type { EngineEvent } from './events.js';

/** One step of a file's way through the daemon. */
export interface TimelineStep {
  readonly at: string;
  readonly step: 'seen' | 'waiting' | 'settled' | 'queued' | 'started' | 'stage' | 'retry' | 'committed' | 'disposed'
    | 'processed' | 'unchanged' | 'failed' | 'skipped' | 'changed' | 'aborted';
  readonly stage?: string;
  readonly durationMs?: number;
  readonly detail?: string;
}

/** Files remembered (least recently touched dropped first) and steps kept per file (oldest dropped first). */
export const timelineFiles = 5000;
export const timelineSteps = 40;

/**
 * What happened to the files the daemon touched lately, step by step, from engine events: the dashboard's file
 * timeline. Bounded: 5,000 files of 40 steps each. A file's earlier runs stay in its list until its steps run over.
 */
export class FileTimelines {
  readonly #files = new Map<string, TimelineStep[]>();

  add(e: EngineEvent): void {
    if (!('pipeline' in e) || !('path' in e) || e.path === undefined) return;
    const found = stepsOf(e);
    if (found.length === 0) return;
    const key = `${e.pipeline}\0${e.path}`;
    const steps = this.#files.get(key) ?? [];
    this.#files.delete(key);
    if (this.#files.size >= timelineFiles) this.#files.delete(this.#files.keys().next().value!);
    const at = new Date().toISOString();
    for (const step of found) steps.push({ at, ...step });
    if (steps.length > timelineSteps) steps.splice(0, steps.length - timelineSteps);
    this.#files.set(key, steps);
  }

  /** The steps remembered for an input, oldest first. */
  of(pipeline: string, relPath: string): TimelineStep[] {
    return [...(this.#files.get(`${pipeline}\0${relPath}`) ?? [])];
  }
}

type Step = Omit<TimelineStep, 'at'>;

/** A queued file has settled: one event, two steps of the story. */
function stepsOf(e: EngineEvent): Step[] {
  if (e.type === 'queued') return [{ step: 'settled' }, { step: 'queued' }];
  const step = stepOf(e);
  return step === null ? [] : [step];
}

function stepOf(e: EngineEvent): Step | null {
  switch (e.type) {
    // The engine looks again after a job when events came in meanwhile; a file it moved away is then quietly skipped.
    // Neither is part of the file's story (a real change during the job is its own `changed` step).
    case 'seen': return e.via === 'redo' ? null : { step: 'seen', detail: `by ${e.via}` };
    case 'awaiting-marker': return { step: 'waiting', detail: `for its ready marker ${e.marker}` };
    case 'started': return { step: 'started', detail: `attempt ${e.attempt}` };
    case 'stage': return { step: 'stage', stage: e.stage, durationMs: e.durationMs };
    case 'retry': return { step: 'retry', stage: e.stage, detail: `${e.code}: ${e.message}; again in ${e.delayMs} ms` };
    case 'committed': return { step: 'committed', detail: e.output };
    case 'disposed': return { step: 'disposed', detail: e.disposition === 'move' ? `moved to ${e.to}` : 'deleted' };
    case 'processed': return { step: 'processed', durationMs: e.durationMs, detail: e.outputs.join(', ') };
    case 'unchanged': return { step: 'unchanged', detail: 'up to date' };
    case 'failed': return { step: 'failed', stage: e.stage, detail: `${e.code}: ${e.message}` };
    case 'skipped': return e.code === 'INPUT_VANISHED' ? null : { step: 'skipped', detail: e.reason };
    case 'changed': return { step: 'changed', detail: 'changed while processed; again' };
    case 'aborted': return { step: 'aborted', detail: 'by shutdown' };
    default: return null;
  }
}
