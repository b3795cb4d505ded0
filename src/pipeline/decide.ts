import type { ResolvedPipeline } from '../config/resolved.js';
import { sameFingerprint, type FileRecord, type Fingerprint } from '../state/store.js';

/**
 * What to do with a settled input, given what the store remembers (outputs that went missing are up-to-date.ts's):
 * - `process`: new, changed, the pipeline changed since, or its last failure was transient and `retryTransient` is set
 *   (a scan or rescan tries such a file again by itself; a watch event for it does not);
 * - `dispose`: the result is recorded but the input's disposal, or the finish the commit owes, was interrupted;
 * - `unchanged`: up to date;
 * - `failed-before`: it failed permanently and has not changed since: not retried until it changes (or sluice retry).
 */
export type Decision = 'process' | 'dispose' | 'unchanged' | 'failed-before';

export function decide(pipeline: ResolvedPipeline, fingerprint: Fingerprint, record: FileRecord | undefined, retryTransient = true): Decision {
  if (!record || record.hash !== pipeline.hash || !sameFingerprint(record.fingerprint, fingerprint)) return 'process';
  const disposition = record.status === 'done' ? pipeline.onSuccess : pipeline.onFailure;
  // Recorded yet still here: either the disposal was interrupted, or someone put the input back to have it redone.
  if (disposition.kind !== 'keep') return record.disposed ? 'process' : 'dispose';
  if (record.finish != null) return 'dispose';
  if (record.status === 'done') return 'unchanged';
  return retryTransient && record.error?.kind === 'transient' ? 'process' : 'failed-before';
}
