import path from 'node:path';
import type { ResolvedPipeline } from '../config/resolved.js';

/** The failure sidecar beside a quarantined input. */
export const sidecarSuffix = '.error.json';

/**
 * A failed input to retry: quarantined in its pipeline's onFailure.moveTo folder, with its sidecar, going back to
 * `input`; or (`kept`) left in place by onFailure: keep, where `quarantined` is `input` and only the failure is cleared.
 */
export interface RetryItem {
  readonly pipeline: string;
  readonly relPath: string;
  readonly quarantined: string;
  readonly sidecar: string | null;
  readonly input: string;
  readonly kept?: true;
}

/** A quarantined input: it has a sidecar. */
export type QuarantinedItem = RetryItem & { readonly sidecar: string };

/** The quarantined input `relPath` of `p` in `failedDir`, with its sidecar and the input path it goes back to. */
export function quarantineItem(p: ResolvedPipeline, failedDir: string, relPath: string): QuarantinedItem {
  const quarantined = path.join(failedDir, relPath);
  return { pipeline: p.name, relPath, quarantined, sidecar: `${quarantined}${sidecarSuffix}`, input: path.join(p.input.dir, relPath) };
}
