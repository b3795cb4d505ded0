import type { ResolvedPipeline } from '../config/resolved.js';
import { sameFingerprint, type FileRecord, type Fingerprint } from '../state/store.js';

/**
 * What to do with a settled input, given what the store remembers:
 * - `process`: new, changed, or the pipeline changed since;
 * - `dispose`: the result is recorded but the input's disposal was interrupted;
 * - `unchanged`: up to date;
 * - `failed-before`: it failed and has not changed since: not retried until it changes.
 */
export type Decision = 'process' | 'dispose' | 'unchanged' | 'failed-before';

export function decide(pipeline: ResolvedPipeline, fingerprint: Fingerprint, record: FileRecord | undefined): Decision {
  if (!record || record.hash !== pipeline.hash || !sameFingerprint(record.fingerprint, fingerprint)) return 'process';
  const disposition = record.status === 'done' ? pipeline.onSuccess : pipeline.onFailure;
  // Recorded yet still here: either the disposal was interrupted, or someone put the input back to have it redone.
  if (disposition.kind !== 'keep') return record.disposed ? 'process' : 'dispose';
  return record.status === 'done' ? 'unchanged' : 'failed-before';
}
