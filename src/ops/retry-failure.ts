import fs from 'node:fs';
import path from 'node:path';
import { isFileSync, lstatOrNull } from '../fs/exists.js';
import type { ResolvedConfig, ResolvedPipeline } from '../config/resolved.js';
import type { InputKey, StateStore } from '../state/store.js';
import { moveBack } from './move-back.js';
import { moveMarkerBack } from './retry.js';
import { quarantineItem } from './retry-item.js';

export type RetryOutcome = { readonly retried: true } | { readonly retried: false; readonly reason: string };

/**
 * Retries one recorded failure from inside the daemon that writes `store` (the dashboard's Retry), as `sluice retry`
 * does: the failure is cleared; a quarantined input goes back to its input folder (never replacing a file there), its
 * ready marker after it, and its sidecar is removed; then `requeue` hands the input to the engine again. An input kept
 * in place (onFailure: keep) is cleared and requeued as it is. Refused, changing nothing, when the failure is no longer
 * recorded, the input exists again beside its quarantined copy, or neither exists.
 */
export async function retryFailure(
  config: ResolvedConfig, store: StateStore, key: InputKey, requeue: (p: ResolvedPipeline, relPath: string) => void,
): Promise<RetryOutcome> {
  const p = config.pipelines.find((c) => c.name === key.pipeline);
  if (!p) return refused(`the daemon has no pipeline named ${key.pipeline}`);
  if ((await store.get(p.name, key.relPath))?.status !== 'failed') return refused('not a recorded failure now (retried or processed since)');
  const input = path.join(p.input.dir, key.relPath);
  if (p.onFailure.kind === 'move') {
    const item = quarantineItem(p, p.onFailure.dir, key.relPath);
    if (isFileSync(item.quarantined)) {
      if (lstatOrNull(input) !== undefined) return refused(`its input ${input} exists again: remove or rename it first`);
      await store.delete(p.name, key.relPath);
      await moveBack(item.quarantined, input);
      await moveMarkerBack(config, item);
      fs.rmSync(item.sidecar, { force: true });
      requeue(p, key.relPath);
      return { retried: true };
    }
  }
  if (!isFileSync(input)) return refused(`neither its input ${input} nor a quarantined copy exists`);
  await store.delete(p.name, key.relPath);
  requeue(p, key.relPath);
  return { retried: true };
}

function refused(reason: string): RetryOutcome {
  return { retried: false, reason };
}
