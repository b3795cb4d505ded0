import type { EventBus } from '../observability/events.js';
import type { Job, JobOutcome } from './job.js';

/** The event that tells how a job ended (nothing for a finished disposal): the same on the batched and general paths. */
export function emitOutcome(events: EventBus, job: Job, outcome: JobOutcome): void {
  const at = { pipeline: job.pipeline.name, path: job.relPath };
  switch (outcome.type) {
    case 'processed':
      events.emit({
        type: 'processed', ...at, outputs: outcome.outputs, durationMs: Date.now() - job.queuedAt,
        ...(outcome.skipped ? { skipped: outcome.skipped } : {}),
      });
      break;
    case 'failed':
      events.emit({
        type: 'failed', ...at, stage: outcome.stage, attempts: outcome.attempts, code: outcome.code, message: outcome.message,
        errorClass: outcome.errorClass,
      });
      break;
    case 'changed': events.emit({ type: 'changed', ...at }); break;
    case 'vanished':
      events.emit({ type: 'skipped', ...at, reason: 'the file vanished while it was processed', code: 'INPUT_VANISHED' });
      break;
    case 'aborted': events.emit({ type: 'aborted', ...at }); break;
    case 'disposed': break;
  }
}
