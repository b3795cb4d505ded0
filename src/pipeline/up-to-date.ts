import type { ResolvedPipeline } from '../config/resolved.js';
import type { FileRecord, Fingerprint } from '../state/store.js';
import { decide, type Decision } from './decide.js';
import { outputMarkerPath } from './output-paths.js';
import { pathExists } from '../fs/exists.js';

/** A decision, and for `process` of a recorded result the output (or completion marker) that went missing, if that is why. */
export interface Verdict {
  readonly decision: Decision;
  readonly missing: string | null;
}

/**
 * decide(), and then for a result it calls up to date: is every recorded output still there (one lstat each), and
 * the completion marker? One that went missing (deleted by hand, an unmounted disk) makes the input `process` again.
 */
export async function upToDate(
  p: ResolvedPipeline, relPath: string, fingerprint: Fingerprint, record: FileRecord | undefined, retryTransient = true,
): Promise<Verdict> {
  const decision = decide(p, fingerprint, record, retryTransient);
  if (decision !== 'unchanged') return { decision, missing: null };
  const missing = await missingOutput(p, relPath, record!);
  return { decision: missing === null ? decision : 'process', missing };
}

async function missingOutput(p: ResolvedPipeline, relPath: string, record: FileRecord): Promise<string | null> {
  for (const output of record.outputs) if (!(await pathExists(output))) return output;
  if (p.output.marker === null) return null;
  let marker: string | null;
  try {
    marker = outputMarkerPath({ pipeline: p, relPath });
  } catch {
    return null; // It renders outside output.dir: the next attempt fails with OUTPUT_ESCAPES if it is redone.
  }
  return marker !== null && !(await pathExists(marker)) ? marker : null;
}
