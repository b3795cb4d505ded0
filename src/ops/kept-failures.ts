import path from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import { isWithin } from '../config/validate.js';
import { isFileSync } from '../fs/exists.js';
import type { StateStore } from '../state/store.js';
import type { RetryItem } from './retry-item.js';

/** Most kept failures `sluice retry --all` takes in one go (the store lists the newest first). */
const maxKept = 100_000;

/**
 * A failed input kept in place (onFailure: keep) that `abs` names: its input file, with a failure recorded. Retrying
 * it clears the failure only; the file stays where it is. Null when `abs` names none.
 */
export async function keptFailureAt(config: ResolvedConfig, abs: string, store: StateStore): Promise<RetryItem | null> {
  for (const p of config.pipelines) {
    if (p.onFailure.kind !== 'keep' || !isWithin(p.input.dir, abs) || !isFileSync(abs)) continue;
    const relPath = path.relative(p.input.dir, abs).split(path.sep).join('/');
    if ((await store.get(p.name, relPath))?.status === 'failed') return keptItem(p.name, relPath, abs);
  }
  return null;
}

/** Every failed input kept in place whose file is still there. */
export async function keptFailuresAll(config: ResolvedConfig, store: StateStore): Promise<RetryItem[]> {
  const byName = new Map(config.pipelines.map((p) => [p.name, p]));
  const found: RetryItem[] = [];
  for (const r of await store.failures(maxKept)) {
    const p = byName.get(r.pipeline);
    if (p?.onFailure.kind !== 'keep') continue;
    const input = path.join(p.input.dir, r.relPath);
    if (isFileSync(input)) found.push(keptItem(p.name, r.relPath, input));
  }
  return found;
}

function keptItem(pipeline: string, relPath: string, input: string): RetryItem {
  return { pipeline, relPath, quarantined: input, sidecar: null, input, kept: true };
}
