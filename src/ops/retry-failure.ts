import fs from 'node:fs';
import type { ResolvedConfig, ResolvedPipeline } from '../config/resolved.js';
import type { InputKey, StateStore } from '../state/store.js';
import { moveBack } from './move-back.js';
import { moveMarkerBack } from './retry.js';
import { failedInputNow } from './retry-item.js';

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
  const now = failedInputNow(p, key.relPath);
  if (now.refusal !== null) return refused(now.refusal);
  await store.delete(p.name, key.relPath);
  if (now.quarantined) {
    await moveBack(now.quarantined.quarantined, now.input);
    await moveMarkerBack(config, now.quarantined);
    fs.rmSync(now.quarantined.sidecar, { force: true });
  }
  requeue(p, key.relPath);
  return { retried: true };
}

function refused(reason: string): RetryOutcome {
  return { retried: false, reason };
}
