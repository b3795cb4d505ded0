import path from 'node:path';
import type { ResolvedPipeline } from '../config/resolved.js';
import { isFileSync, lstatOrNull } from '../fs/exists.js';

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

/** Where a failed input is now, and whether a retry may take it (`refusal` null). */
export interface FailedInputNow {
  readonly input: string;
  /** Its copy in onFailure.moveTo, when that file is there. */
  readonly quarantined: QuarantinedItem | null;
  readonly refusal: string | null;
}

/**
 * Looks where the failed input `relPath` of `p` is: quarantined (refused while its input exists again, since moving
 * it back would replace a newer file) or kept in place (refused when it is gone).
 */
export function failedInputNow(p: ResolvedPipeline, relPath: string): FailedInputNow {
  const input = path.join(p.input.dir, relPath);
  const item = p.onFailure.kind === 'move' ? quarantineItem(p, p.onFailure.dir, relPath) : null;
  if (item && isFileSync(item.quarantined)) {
    const refusal = lstatOrNull(input) === undefined ? null : `its input ${input} exists again: remove or rename it first`;
    return { input, quarantined: item, refusal };
  }
  return { input, quarantined: null, refusal: isFileSync(input) ? null : `neither its input ${input} nor a quarantined copy exists` };
}
